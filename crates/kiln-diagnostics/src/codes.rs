//! The one registry of error codes: every code a user can see, whether the engine, the studio API
//! or the studio front end produces it, with its text, name and meaning. The UI's copy
//! (`ui/src/api/generated/codes.ts`) is generated from [`Code::ALL`], so the two cannot drift.

use serde::Serialize;

/// Which part of Kiln produces a code. Codes are unique across all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// The engine crates (project loading, compile, graph, warehouse, profiles); CLI and studio.
    Engine,
    /// The studio's engine API (`kiln-api`) and its transports.
    Api,
    /// The studio front end itself, when it has no diagnostic from the engine to show.
    Ui,
}

macro_rules! registry {
    ($( $variant:ident = $text:literal, $origin:ident, $meaning:literal; )*) => {
        /// Stable error codes. The first digit groups the `K` codes: 1 project files, 2
        /// Jinja/compile, 3 graph and selection, 4 warehouse and execution, 5 profiles and
        /// connections, 6 the studio API, 7 charts and dashboards, 8 streams; `UI` codes come from the studio
        /// front end.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum Code {
            $( #[doc = $meaning] $variant, )*
        }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as users see it (`K2002`).
            pub const fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// The registry name (`UnknownRef`), also the key of the UI's `ErrorCode` table.
            pub const fn name(self) -> &'static str {
                match self { $(Code::$variant => stringify!($variant),)* }
            }

            /// One line saying what the code means.
            pub const fn meaning(self) -> &'static str {
                match self { $(Code::$variant => $meaning,)* }
            }

            pub const fn origin(self) -> Origin {
                match self { $(Code::$variant => Origin::$origin,)* }
            }
        }
    };
}

registry! {
    ProjectNotFound = "K1001", Engine, "The project file (`dbt_project.yml`) is missing.";
    YamlSyntax = "K1002", Engine, "A YAML file does not parse, or has the wrong shape.";
    DuplicateName = "K1003", Engine, "Two resources share a name.";
    Io = "K1004", Engine, "A file could not be read or written.";
    SeedFile = "K1005", Engine, "A seed CSV is unreadable.";
    WriteConflict = "K1006", Api, "The file changed on disk since the editor read it.";
    OutsideProject = "K1007", Api, "A path points outside the project.";
    Jinja = "K2001", Engine, "Jinja failed to render.";
    UnknownRef = "K2002", Engine, "`ref()` names no model, seed or snapshot.";
    UnknownSource = "K2003", Engine, "`source()` names no declared source table.";
    CompilerError = "K2004", Engine, "`exceptions.raise_compiler_error` or an invalid `config()`.";
    UnknownColumn = "K2005", Engine, "A model reads a column (`alias.column`) that its upstream model, seed or source does not have.";
    Cycle = "K3001", Engine, "The DAG has a cycle.";
    Selector = "K3002", Engine, "A selector does not parse.";
    Sql = "K4001", Engine, "SQL failed in the warehouse.";
    MissingLakeFiles = "K4002", Engine, "Lake files are missing for an external source.";
    LakeData = "K4003", Engine, "A lake file value does not match its declared type.";
    WarehouseLocked = "K4004", Engine, "The warehouse file is locked by another process.";
    Warehouse = "K4005", Engine, "The warehouse could not be opened.";
    Connect = "K4006", Engine, "The warehouse server could not be reached, or refused the session: name lookup, TCP, TLS, login, permission or a missing database.";
    WarehouseBusy = "K4007", Engine, "The warehouse refused for load: too many active statements, throttling or a time-out.";
    Untranslatable = "K4008", Engine, "The SQL uses a Redshift construct that the local DuckDB warehouse cannot run.";
    Profile = "K5001", Engine, "A profile is missing or invalid.";
    SavedConnection = "K5002", Engine, "A saved connection cannot be read, saved or used: the user's connections file, its entry, or its password in the OS keyring.";
    NoProject = "K6001", Api, "No project is open.";
    BadRequest = "K6002", Api, "The request does not fit the operation.";
    UnknownId = "K6003", Api, "A run or query id the engine does not know (any more).";
    Internal = "K6004", Api, "A bug or an unexpected failure inside the engine.";
    Unauthorized = "K6005", Api, "A transport refused a request without the studio's token.";
    ExplainPlan = "K6006", Api, "The warehouse's EXPLAIN output could not be read as a plan tree.";
    Canvas = "K6007", Api, "A model canvas edit is impossible: a new step with no step before it to read, a step that does not exist, or a model with no steps to save.";
    ChartSpec = "K7001", Engine, "A chart spec names a column the data lacks, or does not fit its chart type.";
    Dashboard = "K7002", Engine, "A dashboard file's panel, grid place or refresh interval is impossible, or a Grafana dashboard cannot be imported.";
    StreamDdl = "K8001", Engine, "A streaming statement (external schema, materialized view, COPY) cannot run on the local warehouse as written.";
    Stream = "K8002", Engine, "A stream cannot be used: missing, open in another Kiln process, or its log cannot be written.";
    StreamDecl = "K8003", Engine, "A stream declared under `streams:` in project YAML is impossible: a bad name or kind, shards, retention or buffering out of range, or a delivery on a Kinesis stream.";
    StreamTableDdl = "K8004", Engine, "A Firehose delivery's `create_table` DDL file is missing or outside the project.";
    UiUnreadableError = "UI0001", Ui, "The engine or its transport failed with something that is not a diagnostic.";
    UiEngineUnreachable = "UI0002", Ui, "The studio could not reach the engine (`kiln serve` stopped, or the network failed).";
    UiHttpStatus = "UI0003", Ui, "`kiln serve` answered with an HTTP error status but no diagnostic.";
}

impl Code {
    /// The code whose text is `text`, if the registry has one.
    pub fn from_text(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|code| code.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} is registered twice");
            let (prefix, digits) = match code.origin() {
                Origin::Ui => ("UI", &text[2..]),
                Origin::Engine | Origin::Api => ("K", &text[1..]),
            };
            assert!(
                text.starts_with(prefix),
                "{text} ({}) must start with {prefix}",
                code.name()
            );
            assert!(
                digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()),
                "{text}"
            );
            assert!(!code.meaning().is_empty() && !code.meaning().contains('\n'), "{text}");
            assert_eq!(Code::from_text(text), Some(*code));
        }
        assert_eq!(Code::from_text("K9999"), None);
    }
}
