import { statusStyle } from "./status";

export function StatusPill({ status, progress }: { status: string; progress?: number | null }) {
  const style = statusStyle(status);
  const pct = status === "running" && progress ? ` ${Math.round(progress * 100)}%` : "";
  return (
    <span className={`pill pill--${status}`} data-status={status}>
      <span className={style.active ? "pill__dot pill__dot--live" : "pill__dot"} aria-hidden />
      {style.label}
      {pct}
    </span>
  );
}
