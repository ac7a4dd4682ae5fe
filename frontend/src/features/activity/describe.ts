/** An activity event in parts a row can show: the verb in words, where the object lives, the extra detail. */
import type { ActivityEvent, ObjectType } from "./queries";

const VERBS: Record<ActivityEvent["verb"], string> = {
  created: "created",
  saved: "saved",
  restored: "restored",
  cloned: "cloned",
  imported: "imported",
  deleted: "deleted",
  submitted: "submitted",
  finished: "finished",
  uploaded: "uploaded",
  deployed: "deployed",
  redeployed: "redeployed",
  member_added: "added member",
  role_changed: "changed the role of",
  member_removed: "removed member",
  key_regenerated: "regenerated a key of",
  cancelled: "cancelled",
  published: "published",
  updated: "updated",
  triggered: "triggered",
  paused: "paused",
  resumed: "resumed",
  alarmed: "raised an alarm on",
  approved: "approved",
  rejected: "rejected",
  promoted: "promoted",
};

export const OBJECT_TYPES: { value: ObjectType; label: string }[] = [
  { value: "pipeline", label: "Pipelines" },
  { value: "run", label: "Runs" },
  { value: "dataset", label: "Datasets" },
  { value: "endpoint", label: "Endpoints" },
  { value: "member", label: "Members" },
  { value: "model", label: "Models" },
];

export function verbText(e: ActivityEvent): string {
  return VERBS[e.verb] ?? e.verb.replace(/_/g, " ");
}

/** The page an event's object opens, or null when it is gone or has no page. */
export function objectHref(e: ActivityEvent): string | null {
  if (e.object_id === null || e.verb === "deleted") return null;
  switch (e.object_type) {
    case "pipeline":
      return `/pipelines/${e.object_id}`;
    case "run":
      return `/runs/${e.object_id}`;
    case "dataset":
      return `/datasets/${e.object_id}`;
    case "endpoint":
      return `/w/${e.workspace}/endpoints/${e.object_id}`;
    case "pipeline_endpoint":
      return `/w/${e.workspace}/pipeline-endpoints/${e.object_id}`;
    case "model":
      return `/w/${e.workspace}/models`;
    default:
      return null;
  }
}

/** How the object is named in the row: "pipeline “Churn”", "run #12 of “Churn”", "olivia". */
export function objectText(e: ActivityEvent): { kind: string; name: string } {
  if (e.object_type === "member") return { kind: "", name: e.object_name };
  if (e.object_type === "run") return { kind: "run", name: `#${e.object_id ?? "?"}${e.object_name ? ` of “${e.object_name}”` : ""}` };
  return { kind: e.object_type, name: e.object_name ? `“${e.object_name}”` : `#${e.object_id ?? "?"}` };
}

/** Extra words from the detail: the version, the status, the role, where a clone came from, which key. */
export function detailText(e: ActivityEvent): string[] {
  const d = e.detail ?? {};
  const out: string[] = [];
  if (typeof d.version === "number") out.push(`version ${d.version}`);
  if (typeof d.restored_from === "number") out.push(`from version ${d.restored_from}`);
  if (typeof d.status === "string") out.push(d.status);
  if (typeof d.role === "string") out.push(`as ${d.role}`);
  if (typeof d.key === "string") out.push(`${d.key} key`);
  if (typeof d.versions === "number") out.push(`${d.versions} version${d.versions === 1 ? "" : "s"}`);
  const source = d.source as { name?: unknown } | undefined;
  if (source && typeof source === "object" && typeof source.name === "string") out.push(`from “${source.name}”`);
  if (typeof d.problems === "number" && d.problems > 0) out.push(`${d.problems} problem${d.problems === 1 ? "" : "s"} to fix`);
  return out;
}

/** The version of a pipeline or dataset an event names, to link to it. */
export function versionHref(e: ActivityEvent): string | null {
  const d = e.detail ?? {};
  if (e.object_id === null || e.verb === "deleted" || typeof d.version !== "number") return null;
  if (e.object_type === "pipeline") return `/pipelines/${e.object_id}/versions/${d.version}`;
  if (e.object_type === "dataset") return `/datasets/${e.object_id}/versions/${d.version}`;
  return null;
}
