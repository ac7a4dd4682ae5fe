/** An endpoint's status as a pill, in the colours the run statuses use for the same meaning. */
const LOOK: Record<string, { pill: string; label: string; live: boolean }> = {
  live: { pill: "completed", label: "Live", live: false },
  healthy: { pill: "completed", label: "Healthy", live: false },
  ready: { pill: "completed", label: "Ready", live: false },
  deploying: { pill: "running", label: "Deploying", live: true },
  creating: { pill: "running", label: "Creating", live: true },
  updating: { pill: "running", label: "Updating", live: true },
  failed: { pill: "failed", label: "Failed", live: false },
  unhealthy: { pill: "failed", label: "Unhealthy", live: false },
  stopped: { pill: "cancelled", label: "Stopped", live: false },
  disabled: { pill: "skipped", label: "Disabled", live: false },
};

export function EndpointStatus({ status = "" }: { status?: string }) {
  const look = LOOK[status] ?? { pill: "pending", label: status ? status[0]!.toUpperCase() + status.slice(1) : "Unknown", live: false };
  return (
    <span className={`pill pill--${look.pill}`} data-status={status}>
      <span className={look.live ? "pill__dot pill__dot--live" : "pill__dot"} aria-hidden />
      {look.label}
    </span>
  );
}
