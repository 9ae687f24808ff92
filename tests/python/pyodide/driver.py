"""Runs one unittest module inside Pyodide and reports each test to JS as it goes, so the
Node runner knows which test was running if C traps and the instance dies."""
import json
import sys
import unittest


def _flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from _flatten(t)
        else:
            yield t


class _Reporter(unittest.TestResult):
    def __init__(self, post):
        super().__init__()
        self._post = post
        self._sub_failed = {}

    def _send(self, **msg):
        self._post(json.dumps(msg))

    def startTest(self, test):
        super().startTest(test)
        self._send(type="start", id=test.id())

    def _done(self, test, status, detail=""):
        self._send(type="result", id=test.id(), status=status, detail=detail)

    def addSuccess(self, test):
        super().addSuccess(test)
        if test.id() in self._sub_failed:
            self._done(test, "fail", self._sub_failed.pop(test.id()))
        else:
            self._done(test, "pass")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._done(test, "fail", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        # Class/module fixtures fail outside any test: report them under their own id.
        self._done(test, "error", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._done(test, "skip", reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._done(test, "pass", "expected failure")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._done(test, "fail", "unexpected success")

    def stopTest(self, test):
        # Python 3.12+ calls neither addSuccess nor addFailure for a test whose only
        # failures were subtests: report it here, or it would vanish from the results.
        if test.id() in self._sub_failed:
            self._done(test, "fail", self._sub_failed.pop(test.id()))
        super().stopTest(test)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            prev = self._sub_failed.get(test.id(), "")
            self._sub_failed[test.id()] = prev + f"{subtest.id()}\n" + \
                self._exc_info_to_string(err, test)


def run(tests_dir, module, skip_json, post):
    if tests_dir not in sys.path:
        sys.path.insert(0, tests_dir)
    skip = set(json.loads(skip_json))
    suite = unittest.defaultTestLoader.loadTestsFromName(module)
    todo = unittest.TestSuite(t for t in _flatten(suite) if t.id() not in skip)
    todo.run(_Reporter(post))
