import { describe, expect, it } from "vitest";
import { byId, portTypes } from "../../test/fixtures";
import { checkConnection, type ConnectionContext, type EdgeLike } from "./connection";

/** Node ids are the module ids here: one node per module. */
function context(edges: EdgeLike[] = []): ConnectionContext {
  return { moduleOf: (id) => byId.get(id), portTypes: new Map(portTypes.map((t) => [t.name, t])), edges };
}

const wire = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({ source, sourceHandle, target, targetHandle });

describe("the connection rule", () => {
  it("accepts an output whose type the input accepts", () => {
    expect(checkConnection(wire("dataset", "dataset", "split_data", "dataset"), context())).toEqual({ ok: true });
    expect(checkConnection(wire("two_class_logistic_regression", "untrained_model", "train_model", "untrained_model"), context())).toEqual({ ok: true });
  });

  it("refuses another type, saying what the input expects", () => {
    const check = checkConnection(wire("two_class_logistic_regression", "untrained_model", "score_model", "dataset"), context());
    expect(check).toEqual({ ok: false, reason: "Untrained model can't connect to Dataset (expects Data table)" });
  });

  it("refuses a trained model into a table input, and a table into a model input", () => {
    const a = checkConnection(wire("train_model", "trained_model", "split_data", "dataset"), context());
    expect(a.ok).toBe(false);
    expect(!a.ok && a.reason).toBe("Trained model can't connect to Dataset (expects Data table)");
    const b = checkConnection(wire("dataset", "dataset", "train_model", "untrained_model"), context());
    expect(!b.ok && b.reason).toBe("Data table can't connect to Untrained model (expects Untrained model)");
  });

  it("uses the server's accepts list, so a subtype connects", () => {
    const ctx = context();
    ctx.portTypes.set("table", { name: "table", label: "Data table", accepts_subtypes_of: ["table"], accepts: ["table", "untrained_model"] });
    expect(checkConnection(wire("two_class_logistic_regression", "untrained_model", "score_model", "dataset"), ctx).ok).toBe(true);
  });

  it("refuses a second edge into an occupied input", () => {
    const taken = context([wire("dataset", "dataset", "split_data", "dataset")]);
    const check = checkConnection(wire("score_model", "scored_dataset", "split_data", "dataset"), taken);
    expect(check).toEqual({ ok: false, reason: "Dataset of Split Data is already connected. Delete that connection first." });
  });

  it("still allows another input of the same node, and fan-out from one output", () => {
    const edges = [wire("dataset", "dataset", "train_model", "dataset")];
    expect(checkConnection(wire("two_class_logistic_regression", "untrained_model", "train_model", "untrained_model"), context(edges)).ok).toBe(true);
    expect(checkConnection(wire("dataset", "dataset", "score_model", "dataset"), context(edges)).ok).toBe(true);
  });

  it("refuses a module wired to itself and a loop", () => {
    expect(checkConnection(wire("split_data", "results_dataset1", "split_data", "dataset"), context()).ok).toBe(false);
    const edges = [wire("split_data", "results_dataset1", "train_model", "dataset"), wire("train_model", "trained_model", "score_model", "trained_model")];
    const loop = checkConnection(wire("score_model", "scored_dataset", "split_data", "dataset"), context(edges));
    expect(loop).toEqual({ ok: false, reason: "That connection would make a loop: data must flow one way." });
  });

  it("refuses unknown ports and modules with a reason", () => {
    expect(checkConnection(wire("dataset", "nope", "split_data", "dataset"), context()).ok).toBe(false);
    expect(checkConnection(wire("ghost", "x", "split_data", "dataset"), context()).ok).toBe(false);
    expect(checkConnection({ source: "dataset", target: "split_data", sourceHandle: null, targetHandle: "dataset" }, context()).ok).toBe(false);
  });
});
