/** Elapsed time of the run on the canvas, ticking while it runs. */
import { useEffect, useState } from "react";
import { formatClock, formatDuration, isFinal } from "../../app/status";
import { useRunStatus } from "./runStore";

export function useRunElapsed(): number | null {
  const run = useRunStatus((s) => s.run);
  const [now, setNow] = useState(Date.now());
  const live = run !== null && !isFinal(run.status);
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [live]);
  if (!run || run.elapsed === null) return null;
  return live ? run.elapsed + Math.max(0, now - run.measuredAt) / 1000 : run.elapsed;
}

export function RunClock() {
  const elapsed = useRunElapsed();
  const final = useRunStatus((s) => (s.run ? isFinal(s.run.status) : true));
  // A ticking stopwatch while it runs; the exact duration once it is over.
  return (
    <span className="run-clock" data-testid="run-elapsed">
      {final ? formatDuration(elapsed) : formatClock(elapsed)}
    </span>
  );
}
