// A side module with initialised static data: the value a thread must see is whatever
// the main thread last stored, not the initialiser (nor zero).
int shared_value = 42;

int *side_value(void) { return &shared_value; }
