"""Start-up of the Comet 3.1.0 processes the interoperability tests run (test/peers/processes.ts).

Comet checks each received event against its event database (comet/utility/event_db.py) in
Twisted's thread pool, with ``dbm.open``. The first ``dbm.open`` of a process imports the dbm
back ends (dbm.gnu, dbm.ndbm, dbm.dumb) and this is not thread-safe. Where Python lacks _gdbm
and _dbm, as this machine's build does, two events checked at once can see a half-imported
dbm.gnu: "module 'dbm.gnu' has no attribute 'open'", and Comet discards the event
("Event rejected ... discarding"): the tests E3 and E7 then waited in vain for its saved copy.
Opening (and removing) one database here, before any thread starts, does that import once.
"""

import dbm
import os
import shutil
import tempfile

_warm_dir = tempfile.mkdtemp(prefix="coincide-comet-dbm-")
try:
    dbm.open(os.path.join(_warm_dir, "warm"), "c").close()
finally:
    shutil.rmtree(_warm_dir, ignore_errors=True)
