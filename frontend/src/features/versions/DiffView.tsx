/** A diff twice: as a list on the left, and marked on the newer version's canvas on the right. */
import { useState } from "react";
import { messageOf } from "../../api/errors";
import { usePipelineVersion } from "../../api/queries";
import type { PipelineDocument } from "../../api/types";
import { ErrorState, Loading } from "../../app/States";
import { DiffCanvas } from "./DiffCanvas";
import { DiffList } from "./DiffList";
import { useVersionDiff, type PipelineDiff } from "./queries";
import "./versions.css";

interface ViewProps {
  diff: PipelineDiff;
  oldDoc: PipelineDocument;
  newDoc: PipelineDocument;
  /** Shown over the canvas, e.g. "Version 5 (newer)". */
  canvasLabel: string;
}

export function DiffView({ diff, oldDoc, newDoc, canvasLabel }: ViewProps) {
  const [selected, setSelected] = useState<string | null>(null);
  const [focus, setFocus] = useState<{ id: string } | null>(null);
  const show = (id: string) => {
    setSelected(id);
    setFocus({ id });
  };
  return (
    <div className="diff-view" data-testid="diff-view">
      <div className="diff-view__list">
        <DiffList diff={diff} oldDoc={oldDoc} newDoc={newDoc} onFocusNode={show} />
      </div>
      <div className="diff-view__canvas">
        <div className="diff-view__caption">{canvasLabel}</div>
        <DiffCanvas document={newDoc} oldDocument={oldDoc} diff={diff} selected={selected} focus={focus} onSelect={setSelected} label={canvasLabel} />
      </div>
    </div>
  );
}

/** Two saved versions of a pipeline compared; `from` is the older side. */
export function VersionCompare({ pipelineId, from, to }: { pipelineId: number; from: number; to: number }) {
  const diff = useVersionDiff(pipelineId, from, to);
  const older = usePipelineVersion(pipelineId, from);
  const newer = usePipelineVersion(pipelineId, to);
  const error = diff.error ?? older.error ?? newer.error;
  if (error) return <ErrorState title="These versions cannot be compared" message={messageOf(error)} onRetry={() => void diff.refetch()} />;
  if (!diff.data || !older.data || !newer.data) return <Loading label={`Comparing version ${from} with version ${to}…`} />;
  return (
    <DiffView
      diff={diff.data.diff}
      oldDoc={older.data.document as PipelineDocument}
      newDoc={newer.data.document as PipelineDocument}
      canvasLabel={`Version ${to}${newer.data.author ? ` by ${newer.data.author}` : ""}, changes since version ${from} marked`}
    />
  );
}
