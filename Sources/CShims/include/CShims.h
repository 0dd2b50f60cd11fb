#pragma once
// Only what Swift cannot call directly: variadic C functions and macros.
// prctl(2) is variadic, so each option the daemon uses gets a fixed-arity wrapper.

/// prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0). Returns 0 or -1 with errno set.
int pw_set_no_new_privs(void);
/// prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0). Returns 0/1 or -1 with errno set.
int pw_get_no_new_privs(void);
/// prctl(PR_SET_KEEPCAPS, on, 0, 0, 0).
int pw_set_keepcaps(int on);

/// memfd_create(name, MFD_ALLOW_SEALING | MFD_CLOEXEC). Returns the fd or -1 with errno set.
int pw_memfd_create_sealable(const char *name);
/// fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL): the seals
/// journald requires of a memfd carrying an entry. Returns 0 or -1 with errno set.
int pw_memfd_seal(int fd);
/// sendmsg(2) on a connected socket of no data and one SCM_RIGHTS message
/// passing `fd` (CMSG_* are macros). Returns what sendmsg returns.
long pw_send_fd(int socket, int fd, int flags);

// mallopt(3) and malloc_trim(3) are plain functions, but Swift's Glibc module
// does not import <malloc.h>.
#include <malloc.h>

#include <systemd/sd-bus.h>

// The org.procwarden.Monitor1 vtable. SD_BUS_* vtable entries are macros, so
// the table lives in C; each entry forwards to a Swift function through
// pw_monitor_handlers, which must outlive the slot.
typedef int (*pw_bus_method_fn)(sd_bus_message *m, void *userdata, sd_bus_error *error);
typedef int (*pw_bus_property_fn)(sd_bus *bus, const char *path, const char *interface,
                                  const char *property, sd_bus_message *reply,
                                  void *userdata, sd_bus_error *error);

typedef struct pw_monitor_handlers {
    pw_bus_method_fn rescan;
    pw_bus_method_fn set_similarity_threshold;
    pw_bus_method_fn reload;
    pw_bus_method_fn reset_baseline;
    pw_bus_method_fn list_executables;
    pw_bus_method_fn list_objects;
    pw_bus_method_fn list_restart_needed;
    pw_bus_property_fn get_property;
    void *userdata;
} pw_monitor_handlers;

/// sd_bus_add_object_vtable(3) with the Monitor1 vtable at `path`/`interface`.
int pw_bus_add_monitor_object(sd_bus *bus, sd_bus_slot **slot, const char *path,
                              const char *interface, pw_monitor_handlers *handlers);
