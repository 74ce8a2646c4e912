import { formatValue } from "./ui";

/** A plain table of result values (failing-row samples, table panels): header, then one row each. */
export function ValuesTable({ columns, rows }: { columns: readonly string[]; rows: readonly unknown[][] }) {
  return (
    <table className="sample-table">
      <thead>
        <tr>
          {columns.map((column, index) => (
            <th key={`${column}-${index}`}>{column}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => (
          <tr key={index}>
            {row.map((value, cell) => (
              <td key={cell} className={value === null ? "null" : typeof value === "number" ? "numeric" : ""}>
                {formatValue(value)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
