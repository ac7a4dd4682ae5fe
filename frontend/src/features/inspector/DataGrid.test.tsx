import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { DataGrid, Pager } from "./DataGrid";
import { tablePage } from "./testing/fixtures";

describe("DataGrid", () => {
  it("shows typed headers, numbered rows, right-aligned numbers and visible missing values", () => {
    render(<DataGrid page={tablePage(0, 8)} />);

    const headers = screen.getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual(["#", "ageinteger", "incomenumber", "citystring"]);
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows).toHaveLength(8);
    const first = within(rows[0]!).getAllByRole("cell");
    expect(first.map((c) => c.textContent)).toEqual(["1", "20", "0", "null"]);
    expect(first[1]).toHaveClass("num");
    expect(within(rows[1]!).getAllByRole("cell").map((c) => c.textContent)).toEqual(["2", "21", "1000.5", "city 1"]);
  });

  it("numbers rows from the page's offset", () => {
    render(<DataGrid page={tablePage(50, 2)} />);

    expect(screen.getAllByRole("row").slice(1).map((r) => within(r).getAllByRole("cell")[0]!.textContent)).toEqual([
      "51",
      "52",
    ]);
  });

  it("reports a picked column", async () => {
    const pick = vi.fn();
    render(<DataGrid page={tablePage(0, 3)} onSelectColumn={pick} />);

    await userEvent.click(screen.getByRole("button", { name: /income/ }));

    expect(pick).toHaveBeenCalledWith("income");
  });

  it("says when a table has no rows", () => {
    render(<DataGrid page={tablePage(0, 10, 0)} />);

    expect(screen.getByText("This table has no rows.")).toBeInTheDocument();
  });
});

describe("Pager", () => {
  it("shows the range and moves by a page, disabling what cannot be done", async () => {
    const onOffset = vi.fn();
    const { rerender } = render(<Pager total={120} offset={0} limit={50} onOffset={onOffset} />);

    expect(screen.getByText("Rows 1–50 of 120")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Previous page" })).toBeDisabled();
    await userEvent.click(screen.getByRole("button", { name: "Next page" }));
    await userEvent.click(screen.getByRole("button", { name: "Last page" }));
    expect(onOffset.mock.calls).toEqual([[50], [100]]);

    rerender(<Pager total={120} offset={100} limit={50} onOffset={onOffset} />);
    expect(screen.getByText("Rows 101–120 of 120")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Next page" })).toBeDisabled();
    await userEvent.click(screen.getByRole("button", { name: "Previous page" }));
    expect(onOffset).toHaveBeenLastCalledWith(50);
  });

  it("changes the page size", async () => {
    const onLimit = vi.fn();
    render(<Pager total={120} offset={0} limit={50} onOffset={vi.fn()} onLimit={onLimit} />);

    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Rows per page" }), "100");

    expect(onLimit).toHaveBeenCalledWith(100);
  });
});
