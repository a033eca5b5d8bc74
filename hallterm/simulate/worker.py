"""The process of one virtual desk: ``python -m hallterm.simulate.worker SETUP_JSON``.

It reads the configured database from its environment as any hallterm program does, says ``ready``
once signed in, starts when the runner's go-file appears (every desk at once), and prints its tally as
one JSON line when its time is up or the stop-file appears."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

from hallterm.config import load_settings
from hallterm.services import training
from hallterm.services.context import Services
from hallterm.simulate.desk import VirtualDesk
from hallterm.simulate.plan import SimPlan


def main(argv: list[str]) -> int:
    setup = json.loads(argv[1])
    # Ctrl+C reaches the whole process group: the runner stops the desks through the stop-file instead,
    # so that each finishes its step and reports what it did.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stop = Path(setup["stop"])
    signal.signal(signal.SIGTERM, lambda *_: stop.touch())
    plan = SimPlan(**setup["plan"])
    clock = plan.clock()
    svc = Services.open(load_settings(), upgrade=False, **({"clock": clock} if clock else {}))
    desk, desks = int(setup["desk"]), int(setup["desks"])
    ready = training.ready_cards(svc)[desk::desks]  # each result handed out by one desk only
    virtual = VirtualDesk(svc, plan, desk, setup["counter"], training.visitors(svc), ready)
    warm = virtual.warm_up()
    print("ready", flush=True)
    go, runner = Path(setup["go"]), os.getppid()
    started = True
    while not go.exists():
        if os.getppid() != runner:  # the runner is gone: nobody to report to
            return 0
        if stop.exists():  # stopped before the start: the warm-up is all there is to report
            started = False
            break
        time.sleep(0.005)
    tally = virtual.run(time.monotonic() + plan.minutes * 60, stop) if started else virtual.tally
    print(json.dumps({**tally.to_json(), "warmup": warm.to_json()}, ensure_ascii=False), flush=True)
    svc.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
