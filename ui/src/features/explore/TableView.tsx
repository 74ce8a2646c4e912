import type { ChartData } from "../../api";
import { ValuesTable } from "../../shared/ValuesTable";

/** A table panel: the first rows of its query, as a plain scrolling table. */
export function TableView({ data }: { data: ChartData }) {
  return (
    <div className="table-view" data-testid="table-view" data-rows={data.rows.length}>
      <ValuesTable columns={data.columns} rows={data.rows} />
    </div>
  );
}
