import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { StatsTable } from "./ColumnStats";
import { PROFILE } from "./testing/fixtures";

function cells(name: string): string[] {
  const row = screen.getByRole("rowheader", { name }).closest("tr")!;
  return within(row)
    .getAllByRole("cell")
    .map((c) => c.textContent ?? "");
}

describe("StatsTable", () => {
  it("shows numeric statistics for numbers and the commonest values for text", () => {
    render(<StatsTable profile={PROFILE} selected={null} onSelect={vi.fn()} />);

    // type, shape, missing, distinct, min, max, mean, std, top values
    expect(cells("age")).toEqual(["integer", "", "0", "120", "20", "139", "79.5", "34.79", ""]);
    expect(cells("income")).toEqual(["number", "", "3 2.5%", "117", "0", "119,059.5", "59,530", "34,810", ""]);
    expect(cells("city")).toEqual(["string", "", "18 15%", "3", "—", "—", "—", "—", "city 1 (35), city 2 (34), city 0 (33)"]);
    expect(screen.getByRole("img", { name: "Distribution of age" }).querySelectorAll("rect")).toHaveLength(2);
  });

  it("says which statistics come from a sample of a large table, and says nothing for a table counted whole", () => {
    const { rerender } = render(
      <StatsTable profile={{ ...PROFILE, rows: 420_000, sampled_rows: 100_000 }} selected={null} onSelect={vi.fn()} />,
    );

    expect(screen.getByRole("note")).toHaveTextContent(
      "Distinct counts, top values, shapes and charts come from 100,000 rows spread over the table's 420,000; " +
        "missing values, min, max, mean and std count every row.",
    );
    rerender(<StatsTable profile={PROFILE} selected={null} onSelect={vi.fn()} />);
    expect(screen.queryByRole("note")).not.toBeInTheDocument();
  });

  it("opens the first column until another is picked, and closes a column picked again", async () => {
    const onSelect = vi.fn();
    const detail = (name: string) => <p>chart of {name}</p>;
    const { rerender } = render(<StatsTable profile={PROFILE} selected={undefined} onSelect={onSelect} detail={detail} />);

    expect(screen.getByRole("region", { name: "Chart of age" })).toHaveTextContent("chart of age");
    expect(screen.getByRole("button", { name: "age" })).toHaveAttribute("aria-expanded", "true");

    await userEvent.click(screen.getByRole("button", { name: /income/ }));
    expect(onSelect).toHaveBeenLastCalledWith("income");
    rerender(<StatsTable profile={PROFILE} selected="income" onSelect={onSelect} detail={detail} />);
    expect(screen.getByRole("region", { name: "Chart of income" })).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Chart of age" })).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: /income/ }));
    expect(onSelect).toHaveBeenLastCalledWith(null);
    rerender(<StatsTable profile={PROFILE} selected={null} onSelect={onSelect} detail={detail} />);
    expect(screen.queryByRole("region")).not.toBeInTheDocument();
    expect(onSelect).toHaveBeenCalledTimes(2); // the row and its button count as one pick
  });
});
