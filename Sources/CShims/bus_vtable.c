#include "CShims.h"
#include <systemd/sd-bus-vtable.h>

#define FORWARD_METHOD(name)                                                        \
    static int name(sd_bus_message *m, void *userdata, sd_bus_error *error) {       \
        pw_monitor_handlers *h = userdata;                                          \
        return h->name(m, h->userdata, error);                                      \
    }

FORWARD_METHOD(rescan)
FORWARD_METHOD(set_similarity_threshold)
FORWARD_METHOD(reload)
FORWARD_METHOD(reset_baseline)
FORWARD_METHOD(list_executables)
FORWARD_METHOD(list_objects)
FORWARD_METHOD(list_restart_needed)

static int get_property(sd_bus *bus, const char *path, const char *interface, const char *property,
                        sd_bus_message *reply, void *userdata, sd_bus_error *error) {
    pw_monitor_handlers *h = userdata;
    return h->get_property(bus, path, interface, property, reply, h->userdata, error);
}

// Methods are UNPRIVILEGED for sd-bus: the handlers check the caller's euid
// themselves (SPEC §9), so the check is one explicit, testable place.
#define METHOD_FLAGS SD_BUS_VTABLE_UNPRIVILEGED
#define CHANGING SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE

static const sd_bus_vtable monitor_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_NAMES("Rescan", "", "", "(tuuuuuut)", SD_BUS_PARAM(summary), rescan, METHOD_FLAGS),
    SD_BUS_METHOD_WITH_NAMES("SetSimilarityThreshold", "ub", SD_BUS_PARAM(threshold) SD_BUS_PARAM(runtime),
                             "", "", set_similarity_threshold, METHOD_FLAGS),
    SD_BUS_METHOD("Reload", "", "", reload, METHOD_FLAGS),
    SD_BUS_METHOD_WITH_NAMES("ResetBaseline", "s", SD_BUS_PARAM(path), "", "", reset_baseline, METHOD_FLAGS),
    SD_BUS_METHOD_WITH_NAMES("ListExecutables", "", "", "a(stssssbu)", SD_BUS_PARAM(executables),
                             list_executables, METHOD_FLAGS),
    SD_BUS_METHOD_WITH_NAMES("ListObjects", "", "", "a(sstsssu)", SD_BUS_PARAM(objects), list_objects,
                             METHOD_FLAGS),
    SD_BUS_METHOD_WITH_NAMES("ListRestartNeeded", "", "", "a(susss)", SD_BUS_PARAM(processes),
                             list_restart_needed, METHOD_FLAGS),
    SD_BUS_PROPERTY("Version", "s", get_property, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("SimilarityThreshold", "u", get_property, 0, CHANGING),
    SD_BUS_PROPERTY("ScanIntervalUSec", "t", get_property, 0, CHANGING),
    SD_BUS_PROPERTY("State", "s", get_property, 0, CHANGING),
    SD_BUS_PROPERTY("LastScanTimestamp", "t", get_property, 0, CHANGING),
    SD_BUS_PROPERTY("LastScanDurationUSec", "t", get_property, 0, CHANGING),
    SD_BUS_PROPERTY("Processes", "u", get_property, 0, CHANGING),
    SD_BUS_PROPERTY("Executables", "u", get_property, 0, CHANGING),
    SD_BUS_PROPERTY("BytesHashed", "t", get_property, 0, CHANGING),
    SD_BUS_PROPERTY("CacheHits", "t", get_property, 0, CHANGING),
    SD_BUS_PROPERTY("SsdeepFailures", "t", get_property, 0, CHANGING),
    SD_BUS_PROPERTY("AlertsRaised", "t", get_property, 0, CHANGING),
    SD_BUS_PROPERTY("AlertsSuppressed", "t", get_property, 0, CHANGING),
    SD_BUS_PROPERTY("Capabilities", "s", get_property, 0, CHANGING),
    SD_BUS_PROPERTY("Coverage", "s", get_property, 0, CHANGING),
    SD_BUS_PROPERTY("WatchedDirectories", "u", get_property, 0, CHANGING),
    SD_BUS_SIGNAL_WITH_NAMES("ScanCompleted", "tuuu",
                             SD_BUS_PARAM(scan_id) SD_BUS_PARAM(processes) SD_BUS_PARAM(executables)
                             SD_BUS_PARAM(alerts), 0),
    SD_BUS_SIGNAL_WITH_NAMES("AlertRaised", "sssus",
                             SD_BUS_PARAM(rule) SD_BUS_PARAM(severity) SD_BUS_PARAM(executable)
                             SD_BUS_PARAM(pid) SD_BUS_PARAM(message), 0),
    SD_BUS_VTABLE_END
};

int pw_bus_add_monitor_object(sd_bus *bus, sd_bus_slot **slot, const char *path,
                              const char *interface, pw_monitor_handlers *handlers) {
    return sd_bus_add_object_vtable(bus, slot, path, interface, monitor_vtable, handlers);
}
