#pragma once
// Only what Swift cannot call directly: variadic C functions and macros.
// prctl(2) is variadic, so each option the daemon uses gets a fixed-arity wrapper.

/// prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0). Returns 0 or -1 with errno set.
int pw_set_no_new_privs(void);
/// prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0). Returns 0/1 or -1 with errno set.
int pw_get_no_new_privs(void);
/// prctl(PR_SET_KEEPCAPS, on, 0, 0, 0).
int pw_set_keepcaps(int on);
