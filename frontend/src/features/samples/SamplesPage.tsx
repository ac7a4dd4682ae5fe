/**
 * The sample gallery, as Azure's designer home page offers it: ready-made pipelines over bundled sample
 * datasets. Opening one loads the datasets the workspace lacks and creates an editable copy, then opens it.
 */
import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { messageOf } from "../../api/errors";
import { EmptyState, ErrorState, Loading } from "../../app/States";
import { toast } from "../../app/toasts";
import { useCurrentWorkspace } from "../../app/workspaceStore";
import { useMe } from "../auth";
import { taskLabel, useOpenSample, useSamplePipelines, type SamplePipeline } from "./queries";
import "./samples.css";

export function SamplesPage() {
  const workspace = Number(useParams().workspaceId);
  const me = useMe().data;
  const membership = me?.workspaces.find((w) => w.id === workspace);
  const canEdit = membership?.role === "owner" || membership?.role === "editor";
  const setCurrent = useCurrentWorkspace((s) => s.setCurrent);
  const samples = useSamplePipelines();

  useEffect(() => {
    if (membership) setCurrent(membership.id);
  }, [membership, setCurrent]);

  if (me && !membership) {
    return (
      <div className="page">
        <EmptyState title="You are not a member of this workspace" action={<Link className="btn" to="/">Go to your workspace</Link>}>
          Ask one of its owners to add you.
        </EmptyState>
      </div>
    );
  }

  return (
    <div className="page" data-testid="samples-page">
      <div className="page__head">
        <div>
          <div className="page__crumbs">{membership?.name ?? "Workspace"} · samples</div>
          <h1 className="page__title">Sample pipelines</h1>
        </div>
      </div>
      <p className="muted">
        Each sample is a complete pipeline over bundled sample datasets. Opening one adds the datasets this workspace
        lacks and saves a copy you can edit and run{canEdit ? "." : "; editors and owners can open them."}
      </p>
      {samples.isPending ? (
        <Loading label="Loading the samples…" />
      ) : samples.isError ? (
        <ErrorState title="The samples could not be loaded" message={messageOf(samples.error)} onRetry={() => samples.refetch()} />
      ) : samples.data.length === 0 ? (
        <EmptyState title="No samples on this server">The modules the samples use are not installed here.</EmptyState>
      ) : (
        <div className="samples__grid" role="list" aria-label="Sample pipelines">
          {samples.data.map((sample) => (
            <SampleCard key={sample.slug} sample={sample} workspace={workspace} canEdit={canEdit} />
          ))}
        </div>
      )}
    </div>
  );
}

function SampleCard({ sample, workspace, canEdit }: { sample: SamplePipeline; workspace: number; canEdit: boolean }) {
  const open = useOpenSample(workspace);
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const titleId = `sample-${sample.slug}`;

  const onOpen = () => {
    setError(null);
    open.mutate(sample.slug, {
      onSuccess: (opened) => {
        const added = opened.datasets_added;
        toast.success(
          added.length > 0
            ? `Opened “${opened.name}” and added ${added.map((d) => `“${d}”`).join(", ")} to the workspace.`
            : `Opened “${opened.name}”.`,
        );
        navigate(`/pipelines/${opened.id}`);
      },
      onError: (e) => setError(messageOf(e)),
    });
  };

  return (
    <article className="card sample-card" role="listitem" aria-labelledby={titleId}>
      <span className="chip sample-card__task">{taskLabel(sample.task)}</span>
      <h2 className="sample-card__name" id={titleId}>
        {sample.name}
      </h2>
      <p className="sample-card__description">{sample.description}</p>
      <dl className="sample-card__meta muted">
        <div>
          <dt>Datasets: </dt>
          <dd>{sample.datasets.length > 0 ? sample.datasets.join(", ") : "none (the pipeline makes its own data)"}</dd>
        </div>
        <div>
          <dt>Azure sample: </dt>
          <dd>{sample.mirrors}</dd>
        </div>
      </dl>
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
      <button
        className="btn btn--primary"
        disabled={!canEdit || open.isPending}
        title={canEdit ? undefined : "Only editors and owners can add pipelines to this workspace"}
        aria-label={`Open ${sample.name} as editable copy`}
        onClick={onOpen}
      >
        {open.isPending ? "Opening…" : "Open as editable copy"}
      </button>
    </article>
  );
}
