/**
 * What happened in a workspace, newest first: who did what to which object, linking to it; filtered
 * by kind of object and read a page at a time.
 */
import { useEffect } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { messageOf } from "../../api/errors";
import { formatWhen } from "../../app/status";
import { EmptyState, ErrorState, Loading } from "../../app/States";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { useMe } from "../auth";
import { detailText, OBJECT_TYPES, objectHref, objectText, verbText, versionHref } from "./describe";
import { PAGE_SIZE, useActivity, type ActivityEvent, type ObjectType } from "./queries";
import "./activity.css";

export function ActivityPage() {
  const workspaceId = Number(useParams().workspaceId);
  const [search, setSearch] = useSearchParams();
  const type = (OBJECT_TYPES.find((t) => t.value === search.get("type"))?.value ?? null) as ObjectType | null;
  const page = Math.max(0, Number(search.get("page")) || 0);
  const me = useMe().data;
  const membership = me?.workspaces.find((w) => w.id === workspaceId);
  const setCurrent = useCurrentWorkspace((s) => s.setCurrent);
  const activity = useActivity(workspaceId, type, page);

  useEffect(() => {
    if (membership) setCurrent(membership.id);
  }, [membership, setCurrent]);

  const go = (next: { type?: ObjectType | null; page?: number }) => {
    const t = next.type === undefined ? type : next.type;
    const p = next.page ?? 0;
    const params: Record<string, string> = {};
    if (t) params.type = t;
    if (p) params.page = String(p);
    setSearch(params);
  };

  const total = activity.data?.count ?? 0;
  const events = activity.data?.results ?? [];
  const first = page * PAGE_SIZE + 1;
  const last = page * PAGE_SIZE + events.length;

  return (
    <div className="page" data-testid="activity-page">
      <div className="page__head">
        <div>
          <div className="page__crumbs">{membership?.name ?? "Workspace"}</div>
          <h1 className="page__title">Activity</h1>
        </div>
      </div>
      <div className="card">
        <div className="activity-filter" role="group" aria-label="Show">
          <button className={`chip${type === null ? " chip--on" : ""}`} aria-pressed={type === null} onClick={() => go({ type: null })}>
            Everything
          </button>
          {OBJECT_TYPES.map((t) => (
            <button key={t.value} className={`chip${type === t.value ? " chip--on" : ""}`} aria-pressed={type === t.value} onClick={() => go({ type: t.value })}>
              {t.label}
            </button>
          ))}
        </div>
        {activity.isPending ? (
          <Loading label="Loading activity…" />
        ) : activity.isError ? (
          <ErrorState title="The activity could not be loaded" message={messageOf(activity.error)} onRetry={() => activity.refetch()} />
        ) : events.length === 0 ? (
          <EmptyState title={type ? "Nothing of this kind yet" : "Nothing has happened here yet"}>
            Saving pipelines, runs, uploads, deployments and membership changes are listed here as they happen.
          </EmptyState>
        ) : (
          <>
            <ol className="activity-list" aria-label="Events">
              {events.map((e) => (
                <ActivityRow key={e.id} e={e} />
              ))}
            </ol>
            <div className="activity-pager">
              <span className="muted">
                {first}–{last} of {total}
              </span>
              <button className="btn btn--sm" disabled={page === 0} onClick={() => go({ page: page - 1 })}>
                ← Newer
              </button>
              <button className="btn btn--sm" disabled={last >= total} onClick={() => go({ page: page + 1 })}>
                Older →
              </button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}

function ActivityRow({ e }: { e: ActivityEvent }) {
  const href = objectHref(e);
  const { kind, name } = objectText(e);
  const extra = detailText(e);
  const version = versionHref(e);
  const actor = e.actor ?? "Tessera";
  return (
    <li className="activity-row" data-event-id={e.id} data-object-type={e.object_type} title={e.summary}>
      <span className={`avatar activity-row__avatar${e.actor ? "" : " activity-row__avatar--system"}`} aria-hidden>
        {actor.slice(0, 1).toUpperCase()}
      </span>
      <span className="activity-row__text">
        <span className="strong">{actor}</span> {verbText(e)} {kind && <span className="muted">{kind} </span>}
        {href ? (
          <Link to={href} className="activity-row__object">
            {name}
          </Link>
        ) : (
          <span className="activity-row__object">{name}</span>
        )}
        {extra.length > 0 && (
          <span className="activity-row__detail">
            {" "}
            ·{" "}
            {version ? (
              <Link to={version}>{extra[0]}</Link>
            ) : (
              extra[0]
            )}
            {extra.length > 1 ? `, ${extra.slice(1).join(", ")}` : ""}
          </span>
        )}
      </span>
      <time className="activity-row__when" dateTime={e.created_at} title={new Date(e.created_at).toLocaleString()}>
        {formatWhen(e.created_at)}
      </time>
    </li>
  );
}
