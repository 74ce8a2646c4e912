//! `kiln chart` and the dashboards of `kiln docs generate` on the TICKIT sample: the sales summary
//! dashboard drawn to SVG and PNG, what the images hold checked against the warehouse (one bar
//! per category, the stat's total), coded errors for unknown dashboards and panels, and a failing
//! panel drawn as an error image with exit code 1 while the others still render.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{repo_root, Sandbox};

/// Elements `<tag …>` of an SVG whose fill is `fill`.
fn count(svg: &str, tag: &str, fill: &str) -> usize {
    svg.split('<')
        .filter(|e| e.starts_with(&format!("{tag} ")) && e.contains(&format!("fill=\"{fill}\"")))
        .count()
}

/// The texts an SVG shows.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text ")
        .skip(1)
        .filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.trim().to_string()))
        .collect()
}

/// Width and height from a PNG's header (its IHDR chunk comes first).
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let word = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (word(16), word(20))
}

/// The studio's first series colour (Tableau blue), as the SVG backend writes fills.
const BLUE: &str = "#4E79A7";
const ORANGE: &str = "#F28E2B";

#[test]
fn tickit_dashboard_to_svg_png_and_docs() {
    let sandbox = Sandbox::new(&repo_root().join("projects").join("tickit"));
    sandbox.kiln_ok(&["demo", "tickit", "--scale", "0.01"]);
    sandbox.kiln_ok(&["build", "--threads", "2"]);

    // Every panel to SVG, named after its title.
    let run = sandbox.kiln_ok(&["chart", "tickit_sales_summary", "--format", "svg", "--out", "charts"]);
    let panels = [
        "total-sales",
        "commission",
        "tickets-sold",
        "users-who-never-bought",
        "sales-and-commission-by-category",
        "sales-by-month",
        "sales-by-buyer-state",
        "top-events-by-gross-sales",
    ];
    for name in panels {
        assert!(
            sandbox.path(&format!("charts/{name}.svg")).is_file(),
            "{name}.svg missing:\n{}",
            run.all()
        );
        assert!(run.stdout.contains(&format!("{name}.svg")), "{}", run.all());
    }
    let svg = |name: &str| std::fs::read_to_string(sandbox.path(&format!("charts/{name}.svg"))).unwrap();

    // One bar per category and measure, plus a legend swatch per measure.
    let categories: usize = sandbox
        .scalar("select count(distinct cat_name) from {{ ref('fct_sales') }}")
        .parse()
        .unwrap();
    let bars = svg("sales-and-commission-by-category");
    assert_eq!(count(&bars, "rect", BLUE), categories + 1, "{bars}");
    assert_eq!(count(&bars, "rect", ORANGE), categories + 1);
    let names = texts(&bars);
    let first =
        sandbox.scalar("select cat_name from {{ ref('fct_sales') }} group by 1 order by sum(price_paid) desc limit 1");
    assert!(names.contains(&first), "{first} not among {names:?}");

    // The top events: one horizontal bar per distinct event name of the query's ten rows.
    let events: usize = sandbox
        .scalar(
            "select count(distinct event_name) from (select event_name from {{ ref('dim_events') }} order by gross_sales desc limit 10)",
        )
        .parse()
        .unwrap();
    assert_eq!(count(&svg("top-events-by-gross-sales"), "rect", BLUE), events);

    // The stat is the warehouse's total, written as the studio writes it.
    let total: f64 = sandbox
        .scalar("select round(sum(price_paid), 2) from {{ ref('fct_sales') }}")
        .parse()
        .unwrap();
    let whole = format!("{}", total.trunc() as i64);
    let grouped: String = whole
        .chars()
        .enumerate()
        .flat_map(|(k, c)| {
            (k > 0 && (whole.len() - k) % 3 == 0)
                .then_some(',')
                .into_iter()
                .chain([c])
        })
        .collect();
    let stat = texts(&svg("total-sales"));
    assert!(
        stat.iter().any(|t| t.starts_with(&grouped)),
        "{grouped} not in {stat:?}"
    );

    // Months on a date axis, states filled on the map.
    let months = texts(&svg("sales-by-month"));
    assert!(months.iter().any(|t| t.contains("2008")), "{months:?}");
    let map = svg("sales-by-buyer-state");
    assert!(map.matches("<polygon").count() > 50, "the map has no shapes");

    // One panel to PNG, by number and by title, at its grid size or the size asked for.
    sandbox.kiln_ok(&["chart", "tickit_sales_summary", "--panel", "5", "--out", "one.png"]);
    assert_eq!(png_size(&std::fs::read(sandbox.path("one.png")).unwrap()), (600, 324));
    sandbox.kiln_ok(&[
        "chart",
        "dashboards/tickit_sales_summary.yml",
        "--panel",
        "sales by month",
        "--width",
        "400",
        "--height",
        "250",
        "--out",
        "png",
    ]);
    assert_eq!(
        png_size(&std::fs::read(sandbox.path("png/sales-by-month.png")).unwrap()),
        (400, 250)
    );

    // The whole dashboard as one image on its grid, by title.
    sandbox.kiln_ok(&[
        "chart",
        "TICKIT sales summary",
        "--layout",
        "dashboard",
        "--out",
        "board.png",
    ]);
    let (width, height) = png_size(&std::fs::read(sandbox.path("board.png")).unwrap());
    assert_eq!(width, 1200);
    assert!(height > 23 * 36, "{height}");

    // Unknown dashboards and panels are coded errors at a place in the project.
    let unknown = sandbox.kiln(&["chart", "nope"]);
    assert_eq!(unknown.code, Some(2), "{}", unknown.all());
    assert!(
        unknown.stderr.contains("error[K7002]") && unknown.stderr.contains("tickit_sales_summary"),
        "{}",
        unknown.all()
    );
    let panel = sandbox.kiln(&["chart", "tickit_sales_summary", "--panel", "42"]);
    assert_eq!(panel.code, Some(2), "{}", panel.all());
    assert!(
        panel.stderr.contains("dashboards/tickit_sales_summary.yml:"),
        "{}",
        panel.all()
    );

    // A failing panel: an error image and exit code 1, the other panel still drawn.
    std::fs::write(
        sandbox.path("dashboards/broken.yml"),
        "title: Broken\npanels:\n  - title: Fine\n    grid: { x: 0, y: 0, w: 12, h: 8 }\n    query: select cat_name, price_paid from {{ ref('fct_sales') }}\n    chart: { kind: bar, x: cat_name, y: [{ column: price_paid, aggregation: sum }] }\n  - title: Gone\n    grid: { x: 12, y: 0, w: 12, h: 8 }\n    query: select * from no_such_table\n    chart: { kind: stat, y: [{ aggregation: count }] }\n",
    )
    .unwrap();
    let broken = sandbox.kiln(&["chart", "broken", "--format", "svg", "--out", "broken"]);
    assert_eq!(broken.code, Some(1), "{}", broken.all());
    assert!(broken.stderr.contains("error[K4001]"), "{}", broken.all());
    assert!(broken.stderr.contains("dashboards/broken.yml:7"), "{}", broken.all());
    assert_eq!(
        count(
            &std::fs::read_to_string(sandbox.path("broken/fine.svg")).unwrap(),
            "rect",
            BLUE
        ),
        categories
    );
    let gone = std::fs::read_to_string(sandbox.path("broken/gone.svg")).unwrap();
    assert!(texts(&gone).iter().any(|t| t.contains("no_such_table")), "{gone}");

    // The docs page lists the dashboards with a chart per panel.
    sandbox.kiln_ok(&["docs", "generate"]);
    let html = std::fs::read_to_string(sandbox.path("target/index.html")).unwrap();
    assert!(html.contains("<h1 id=dashboards>Dashboards</h1>"));
    assert!(html.contains("TICKIT sales summary"));
    let section = &html[html.find("TICKIT sales summary").unwrap()..];
    assert!(section.matches("<svg ").count() >= 8, "expected a chart per panel");
    assert!(
        html.contains("Not drawn:") && html.contains("no_such_table"),
        "the broken panel is listed with its error"
    );
}

#[test]
fn docs_without_a_built_warehouse_list_the_dashboards_with_a_note() {
    let sandbox = Sandbox::new(&repo_root().join("projects").join("tickit"));
    sandbox.kiln_ok(&["docs", "generate"]);
    let html = std::fs::read_to_string(sandbox.path("target/index.html")).unwrap();
    assert!(html.contains("TICKIT sales summary") && html.contains("Sales by buyer state"));
    assert!(html.contains("run <code>kiln build</code>"), "no note on missing data");
}

#[test]
fn parse_flags_a_chart_column_its_query_does_not_return() {
    let sandbox = Sandbox::new(&repo_root().join("projects").join("tickit"));
    // The sample's dashboards are clean: every column their charts name is in their queries.
    sandbox.kiln_ok(&["parse"]);

    let file = "dashboards/tickit_sales_summary.yml";
    let text = std::fs::read_to_string(sandbox.path(file)).unwrap();
    let broken = text.replacen(
        "y: [{ column: commission, aggregation: sum }]",
        "y: [{ column: comission, aggregation: sum }]",
        1,
    );
    assert_ne!(broken, text, "the sample's commission panel moved: update this test");
    std::fs::write(sandbox.path(file), &broken).unwrap();
    // The panel's `- title:` line, the last before the misspelt column.
    let lines: Vec<&str> = broken.lines().collect();
    let at = lines.iter().position(|l| l.contains("comission")).unwrap();
    let panel_line = lines[..at]
        .iter()
        .rposition(|l| l.trim_start().starts_with("- title:"))
        .unwrap()
        + 1;

    let run = sandbox.kiln(&["parse"]);
    assert_eq!(run.code, Some(2), "a project error: {}", run.all());
    let out = run.all();
    assert!(out.contains("K7001"), "{out}");
    assert!(
        out.contains("the chart's y is the column 'comission', which its query does not return"),
        "{out}"
    );
    assert!(out.contains("did you mean 'commission'?"), "{out}");
    assert!(out.contains(&format!("{file}:{panel_line}")), "{out}");
}
