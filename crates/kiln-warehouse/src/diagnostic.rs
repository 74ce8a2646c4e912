//! The one mapping from [`AdapterError`] to the coded [`Diagnostic`] users see. The CLI, the
//! studio API and the runner all report warehouse failures through it, so the same failure has the
//! same code, location and hint whichever front end met it; callers with more context (the
//! runner knows the node and its compiled SQL) add to the diagnostic instead of re-deciding it.

use std::path::Path;

use kiln_diagnostics::{relative_to, Code, Diagnostic, Location};

use crate::AdapterError;

impl AdapterError {
    /// The stable code of this failure.
    pub fn code(&self) -> Code {
        match self {
            AdapterError::Locked { .. } => Code::WarehouseLocked,
            AdapterError::Sql { .. } | AdapterError::Interrupted => Code::Sql,
            AdapterError::MissingLakeFiles { .. } => Code::MissingLakeFiles,
            AdapterError::LakeData(_) => Code::LakeData,
            AdapterError::Seed { .. } => Code::SeedFile,
            AdapterError::Io { .. } => Code::Io,
            AdapterError::Connect { .. } => Code::Connect,
            AdapterError::Busy { .. } => Code::WarehouseBusy,
            AdapterError::Open { .. } | AdapterError::InvalidType { .. } | AdapterError::Unsupported { .. } => {
                Code::Warehouse
            }
        }
    }

    /// The failure as a diagnostic. Files the error names (a lake file, a seed CSV) become its
    /// location, relative to `root` (the project) when given; SQL positions carry no file here,
    /// since only the caller knows which text ran.
    pub fn to_diagnostic(&self, root: Option<&Path>) -> Diagnostic {
        let relative = |path: &Path| match root {
            Some(root) => relative_to(root, path),
            None => path.to_path_buf(),
        };
        let diagnostic = Diagnostic::error(self.code(), self.to_string());
        match self {
            AdapterError::Locked { .. } => diagnostic.hint("only one process can use a DuckDB warehouse at a time"),
            AdapterError::MissingLakeFiles { .. } => diagnostic.hint(
                "create the lake files (for the sample projects: `kiln demo tickit`), or fix `external.location`",
            ),
            AdapterError::LakeData(detail) => {
                let diagnostic = match (&detail.file, detail.line) {
                    (Some(file), Some(line)) => {
                        diagnostic.at(Location::at(relative(Path::new(file)), line as usize, None))
                    }
                    (Some(file), None) => diagnostic.in_file(relative(Path::new(file))),
                    _ => diagnostic,
                };
                diagnostic.hint("correct that line of the lake file, or declare a wider data_type for the column")
            }
            AdapterError::Seed { path, line, .. } => {
                let location = match line {
                    Some(line) => Location::at(relative(path), *line as usize, None),
                    None => Location::file(relative(path)),
                };
                diagnostic
                    .at(location)
                    .hint("fix the CSV or set `column_types` for the seed")
            }
            _ => diagnostic,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::LakeDataError;

    #[test]
    fn lake_data_points_at_the_file_and_line_below_the_project() {
        let error = AdapterError::LakeData(Box::new(LakeDataError {
            source_name: "shop.orders".into(),
            file: Some("/p/raw_lake/orders.csv".into()),
            line: Some(4),
            column: Some("amount".into()),
            original_line: None,
            message: "could not convert".into(),
        }));
        let d = error.to_diagnostic(Some(Path::new("/p")));
        assert_eq!(d.code, Code::LakeData);
        let location = d.location.expect("a location");
        assert_eq!(location.file, PathBuf::from("raw_lake/orders.csv"));
        assert_eq!(location.line, Some(4));
        assert!(d.hint.is_some_and(|h| h.contains("data_type")));
    }

    #[test]
    fn locked_and_sql_keep_their_codes() {
        let locked = AdapterError::Locked {
            path: "/w.duckdb".into(),
            holder: Some("kiln (PID 7)".into()),
        };
        assert_eq!(locked.to_diagnostic(None).code, Code::WarehouseLocked);
        let sql = AdapterError::Sql {
            message: "boom".into(),
            line: Some(2),
            column: None,
        };
        let d = sql.to_diagnostic(None);
        assert_eq!(d.code, Code::Sql);
        assert!(d.location.is_none(), "SQL positions need the caller's file");
        assert_eq!(AdapterError::Interrupted.code(), Code::Sql);
    }
}
