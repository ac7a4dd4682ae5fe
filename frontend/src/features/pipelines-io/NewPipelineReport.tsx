/** What a clone or an import made: the new pipeline, what validation still finds in it, and a way in. */
import { Link } from "react-router";
import { useMe } from "../auth";
import { ProblemList } from "./Problems";
import type { NewPipeline } from "./queries";

export function NewPipelineReport({ created, verb }: { created: NewPipeline; verb: "Imported" | "Cloned" }) {
  const me = useMe().data;
  const workspace = me?.workspaces.find((w) => w.id === created.workspace)?.name ?? `workspace ${created.workspace}`;
  const problems = created.validation.problems;
  return (
    <div className="io-report io-report--created" data-testid="io-created">
      <p>
        <strong>{verb}</strong> as “{created.name}” in {workspace} (version {created.head.number}).
      </p>
      {problems.length === 0 ? (
        <p className="muted">No problems found: it is ready to run.</p>
      ) : (
        <>
          <p className="io-report__warn">
            {problems.length} problem{problems.length === 1 ? "" : "s"} to fix before it can run (e.g. datasets to pick in this workspace):
          </p>
          <ProblemList problems={problems} label="Remaining problems" />
        </>
      )}
      <Link className="btn btn--primary" to={`/pipelines/${created.id}`}>
        Open “{created.name}”
      </Link>
    </div>
  );
}
