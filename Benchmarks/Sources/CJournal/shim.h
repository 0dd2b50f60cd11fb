// libsystemd's sd_journal_sendv(3), the peer of the daemon's journal writer
// in `make bench-compare`.
#include <systemd/sd-journal.h>
