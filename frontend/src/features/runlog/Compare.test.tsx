import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";

vi.mock("plotly.js-cartesian-dist-min", () => ({ default: { react: vi.fn(() => Promise.resolve()), purge: vi.fn() } }));

const { CommitFlag } = await import("./Compare");
const { ProvenanceStrip } = await import("./Provenance");

const A = "0123456789abcdef0123456789abcdef01234567";
const B = "fedcba9876543210fedcba9876543210fedcba98";

describe("CommitFlag", () => {
  it("flags runs submitted from different commits, naming both", () => {
    render(<CommitFlag commits={{ a: A, b: B, different: true, dirty: false }} a={3} b={4} />);
    expect(screen.getByTestId("commit-flag").textContent).toBe(
      "Different code: run #3 was submitted from commit 0123456789, run #4 from fedcba9876. ",
    );
  });

  it("warns of uncommitted changes, and says nothing when the code is the same", () => {
    const { rerender, container } = render(<CommitFlag commits={{ a: A, b: A, different: false, dirty: true }} a={3} b={4} />);
    expect(screen.getByTestId("commit-flag").textContent).toContain("uncommitted changes");
    rerender(<CommitFlag commits={{ a: A, b: A, different: false, dirty: false }} a={3} b={4} />);
    expect(container.textContent).toBe("");
    rerender(<CommitFlag commits={{ a: null, b: null, different: false, dirty: false }} a={3} b={4} />);
    expect(container.textContent).toBe("");
  });
});

describe("ProvenanceStrip", () => {
  it("shows the commit, branch, dirty flag, repository, pipeline version and module versions", () => {
    render(
      <MemoryRouter>
        <ProvenanceStrip
          provenance={{
            pipeline_version: 3,
            git: { repository: "https://git.example.com/lab/models.git", branch: "main", commit: A, dirty: true },
            modules: [
              { module: "dataset", name: "Dataset", versions: [1] },
              { module: "execute_python_script", name: "Execute Python Script", versions: [1] },
            ],
          }}
        />
      </MemoryRouter>,
    );
    expect(screen.getByTestId("run-commit").textContent).toBe("Commit 0123456789 on mainuncommitted changes");
    const strip = screen.getByTestId("run-provenance");
    expect(strip.textContent).toContain("Pipeline version 3");
    expect(strip.textContent).toContain("https://git.example.com/lab/models.git");
    expect(strip.textContent).toContain(`${A} (with uncommitted changes)`);
    expect(strip.querySelector('[data-module="execute_python_script"]')?.textContent).toBe("Execute Python Script v1");
  });

  it("says when a run was not submitted from Git", () => {
    render(<ProvenanceStrip provenance={{ pipeline_version: 1, git: null, modules: [] }} />);
    expect(screen.getByText("Not submitted from a Git working copy")).toBeTruthy();
  });
});
