"""A wheel of the wrong flavour installed in this runtime (WARMPOOL_TEST_WRONG_WHEEL names
the flavour it carries): the package imports, and using it raises WrongFlavourError naming
the wheel this runtime needs, instead of a link error or a crash."""
import os
import unittest

import warmpool
from warmpool import _dist, _lib

WRONG = os.environ.get("WARMPOOL_TEST_WRONG_WHEEL")
PKG = os.path.dirname(os.path.abspath(warmpool.__file__))


@unittest.skipUnless(WRONG, "WARMPOOL_TEST_WRONG_WHEEL is not set")
class WrongFlavour(unittest.TestCase):
    def test_installed_copy_is_of_that_flavour(self):
        self.assertNotEqual(WRONG, _lib.runtime_flavour())
        lib = _dist.FLAVOURS[WRONG][0]
        self.assertEqual(_lib._flavour_of(os.path.join(PKG, lib)), WRONG)

    def test_using_it_names_the_right_wheel(self):
        with self.assertRaises(warmpool.WrongFlavourError) as cm:
            warmpool.Pool()
        msg = str(cm.exception)
        self.assertIn(_dist.wheel_name(_lib.runtime_flavour()), msg)
        self.assertIn(_dist.FLAVOURS[WRONG][0], msg)
        self.assertIn(_dist.DESCRIBE[WRONG], msg)
        # An OSError, as loading errors are; not a FileNotFoundError about a search path.
        self.assertIsInstance(cm.exception, OSError)
        self.assertNotIsInstance(cm.exception, FileNotFoundError)


if __name__ == "__main__":
    unittest.main()
