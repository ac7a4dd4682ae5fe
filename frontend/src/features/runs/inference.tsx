/**
 * "Create inference pipeline" on a completed run: the server derives a real-time pipeline (trained models
 * as constants, Web Service Input/Output added, training-only nodes dropped) and the designer opens it,
 * with the notes of what the derivation did. 409 and 422 answers are explained in a dialog.
 * "Create batch inference pipeline" does the same for a batch pipeline: the run's data source feeding a
 * Parallel Run node (the scoring path, run in mini-batches on every worker) and Register Dataset.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useLocation, useNavigate } from "react-router";
import { ApiError, messageOf } from "../../api/errors";
import { Modal } from "../../app/Modal";
import { toast } from "../../app/toasts";
import { servingApi, type DerivationProblem } from "../endpoints";
import "./runs.css";

/** What the designer is told, through the router's location state, about a pipeline it just got. */
export interface InferenceNotesState {
  inference: { runId: number; notes: string[] };
}

interface Failure {
  title: string;
  message: string;
  problems: DerivationProblem[];
}

/** The words and the call of each kind of inference pipeline a run can give. */
const KINDS = {
  "real-time": {
    label: "Create inference pipeline",
    noun: "inference pipeline",
    Noun: "Inference pipeline",
    next: "Check it on the canvas, then Deploy.",
    tip: "Derive a real-time pipeline from this run: its trained models become inputs, Web Service Input and Output are added",
    testId: "create-inference",
    create: (runId: number) => servingApi.createInferencePipeline(runId),
  },
  batch: {
    label: "Create batch inference pipeline",
    noun: "batch inference pipeline",
    Noun: "Batch inference pipeline",
    next: "Check its input dataset on the canvas, then Submit.",
    tip: "Derive a batch pipeline from this run: it scores a whole dataset in mini-batches on every worker and saves the scored rows as a new dataset version",
    testId: "create-batch-inference",
    create: (runId: number) => servingApi.createBatchInferencePipeline(runId),
  },
} as const;

type Kind = keyof typeof KINDS;

function failureOf(error: unknown, kind: Kind): Failure {
  const { noun } = KINDS[kind];
  if (error instanceof ApiError && error.status === 409) {
    const detail = (error.body as { detail?: unknown } | null)?.detail;
    return {
      title: "The run has not completed",
      message: typeof detail === "string" ? detail : `A ${noun} is made from a run that completed.`,
      problems: [],
    };
  }
  if (error instanceof ApiError && error.status === 422) {
    const body = (error.body ?? {}) as { detail?: unknown; problems?: unknown };
    return {
      title: `No ${noun} can be made from this run`,
      message: typeof body.detail === "string" ? body.detail : error.message,
      problems: Array.isArray(body.problems) ? (body.problems as DerivationProblem[]) : [],
    };
  }
  return { title: `The ${noun} was not created`, message: messageOf(error), problems: [] };
}

export function CreateInferenceButton({
  runId,
  onSelectNode,
  kind = "real-time",
}: {
  runId: number;
  onSelectNode?: (node: string) => void;
  kind?: Kind;
}) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [failure, setFailure] = useState<Failure | null>(null);
  const words = KINDS[kind];
  const create = useMutation({
    mutationFn: () => words.create(runId),
    onSuccess: ({ pipeline, notes }) => {
      void client.invalidateQueries({ queryKey: ["pipelines"] });
      toast.success(`${words.Noun} “${pipeline.name}” is open. ${words.next}`);
      const state: InferenceNotesState = { inference: { runId, notes } };
      navigate(`/pipelines/${pipeline.id}`, { state });
    },
    onError: (error) => setFailure(failureOf(error, kind)),
  });
  return (
    <>
      <button className="btn" onClick={() => create.mutate()} disabled={create.isPending} title={words.tip} data-testid={words.testId}>
        {create.isPending ? "Creating…" : words.label}
      </button>
      {failure && (
        <Modal
          title={failure.title}
          onClose={() => setFailure(null)}
          size="md"
          footer={
            <button className="btn btn--primary" onClick={() => setFailure(null)}>
              OK
            </button>
          }
        >
          <p role="alert">{failure.message}</p>
          {failure.problems.length > 0 && (
            <ul className="inference-problems" aria-label="Problems">
              {failure.problems.map((p, i) => (
                <li key={`${p.code}-${i}`}>
                  {p.node && onSelectNode ? (
                    <button
                      className="link-btn"
                      onClick={() => {
                        onSelectNode(p.node ?? "");
                        setFailure(null);
                      }}
                    >
                      {p.node}
                    </button>
                  ) : p.node ? (
                    <strong>{p.node}</strong>
                  ) : null}
                  {p.node ? ": " : ""}
                  {p.message}
                </li>
              ))}
            </ul>
          )}
        </Modal>
      )}
    </>
  );
}

/** In the designer: the notes of the derivation that made this pipeline, until dismissed. */
export function InferenceNotes() {
  const location = useLocation();
  const navigate = useNavigate();
  const state = location.state as Partial<InferenceNotesState> | null;
  const inference = state?.inference;
  if (!inference) return null;
  // Dismissing forgets the notes in the history entry too, so a reload does not bring them back.
  const dismiss = () => navigate({ pathname: location.pathname, search: location.search, hash: location.hash }, { replace: true, state: null });
  return (
    <div className="inference-notes" role="status" data-testid="inference-notes">
      <div className="inference-notes__body">
        <strong>Made from run #{inference.runId}.</strong> Derivation is rule-based: check the canvas before deploying.
        {inference.notes.length > 0 && (
          <ul>
            {inference.notes.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        )}
      </div>
      <button className="icon-btn" aria-label="Dismiss the notes" onClick={dismiss}>
        ×
      </button>
    </div>
  );
}
