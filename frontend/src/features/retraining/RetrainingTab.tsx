/**
 * The endpoint page's Retraining tab: the challengers to decide on (first, once a policy exists), the policy
 * (which published pipeline retrains the endpoint, the deciding metric, automatic promotion, the drift
 * alarm) and the alarm's state. Without a policy, the form comes first.
 */
import { messageOf } from "../../api/errors";
import { ErrorState, Loading } from "../../app/States";
import type { Endpoint } from "../endpoints/types";
import { AlarmCard } from "./AlarmCard";
import { ChallengersSection } from "./Challengers";
import { PolicyCard } from "./PolicyCard";
import { useOptions, usePolicy } from "./queries";
import "./retraining.css";

export function RetrainingTab({ endpoint, canEdit }: { endpoint: Endpoint; canEdit: boolean }) {
  const policy = usePolicy(endpoint.id);
  const options = useOptions(endpoint.id);
  if (policy.isPending || options.isPending) return <Loading label="Loading the retraining policy…" />;
  if (policy.isError || options.isError) {
    const error = policy.error ?? options.error;
    return (
      <ErrorState
        title="The retraining policy could not be loaded"
        message={messageOf(error)}
        onRetry={() => {
          void policy.refetch();
          void options.refetch();
        }}
      />
    );
  }
  return (
    <div className="ep-grid rt-tab" data-testid="retraining-tab">
      {policy.data && <ChallengersSection endpointId={endpoint.id} canEdit={canEdit} />}
      <PolicyCard endpointId={endpoint.id} endpointName={endpoint.name} policy={policy.data} options={options.data} canEdit={canEdit} />
      {policy.data ? (
        <AlarmCard policy={policy.data} />
      ) : (
        <section className="card">
          <h2 className="card__title ep-card-title">How retraining works</h2>
          <ol className="rt-steps">
            <li>A published pipeline, parameterized on its training dataset, retrains the model: on a schedule, on new data, or when the drift alarm fires.</li>
            <li>When one of its runs finishes, its model (the challenger) and the served one (the champion) are scored on the run’s held-out rows.</li>
            <li>An editor approves the challenger, or it is promoted automatically when allowed and it wins by the margin: its model is registered and the endpoint redeployed, with no failed call.</li>
          </ol>
          {canEdit ? <p className="muted">Set a policy to start.</p> : <p className="muted">An editor of this workspace can set a policy.</p>}
        </section>
      )}
      {!policy.data && <ChallengersSection endpointId={endpoint.id} canEdit={canEdit} />}
    </div>
  );
}
