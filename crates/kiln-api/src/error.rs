//! Errors of the engine API. Every failure carries a [`DiagnosticDto`] the UI can show as is, and
//! an [`ErrorKind`] the transports map to a status (HTTP 4xx/5xx).

use std::path::Path;

use kiln_diagnostics::{Code, Diagnostic, Diagnostics};
use kiln_warehouse::AdapterError;

use crate::dto::{DiagnosticDto, Severity};

/// Codes of problems only the studio API can have, as the strings its diagnostics carry. They are
/// entries of kiln-diagnostics' one registry ([`Code`]), where each one's meaning is written.
pub mod codes {
    use kiln_diagnostics::Code;

    pub const WRITE_CONFLICT: &str = Code::WriteConflict.as_str();
    pub const OUTSIDE_PROJECT: &str = Code::OutsideProject.as_str();
    pub const NO_PROJECT: &str = Code::NoProject.as_str();
    pub const BAD_REQUEST: &str = Code::BadRequest.as_str();
    pub const UNKNOWN_ID: &str = Code::UnknownId.as_str();
    pub const INTERNAL: &str = Code::Internal.as_str();
    pub const UNAUTHORIZED: &str = Code::Unauthorized.as_str();
    pub const CANVAS: &str = Code::Canvas.as_str();
}

/// How a failure is classified, so every transport reports it the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request is malformed or names something that cannot work.
    BadRequest,
    /// A file, node, run or query does not exist.
    NotFound,
    /// The file changed on disk since it was read.
    Conflict,
    /// The warehouse is held by another process.
    Locked,
    /// Nothing is open yet.
    NoProject,
    /// The project or the warehouse refused (broken project, SQL error …).
    Unprocessable,
    /// A bug or an I/O failure.
    Internal,
}

impl ErrorKind {
    /// The HTTP status a transport should answer with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::BadRequest => 400,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::NoProject => 409,
            ErrorKind::Unprocessable => 422,
            ErrorKind::Locked => 423,
            ErrorKind::Internal => 500,
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", diagnostic.message)]
pub struct ApiError {
    pub kind: ErrorKind,
    /// Boxed so that `Result<_, ApiError>` stays small on the happy path.
    pub diagnostic: Box<DiagnosticDto>,
}

impl ApiError {
    pub fn new(kind: ErrorKind, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            diagnostic: Box::new(DiagnosticDto {
                code: code.to_string(),
                severity: Severity::Error,
                message: message.into(),
                file: None,
                line: None,
                column: None,
                hint: None,
            }),
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.diagnostic.hint = Some(hint.into());
        self
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.diagnostic.file = Some(file.into());
        self
    }

    /// A diagnostic the engine produced (a compile error, a dashboard problem) as a failed request.
    pub fn from_dto(diagnostic: DiagnosticDto) -> Self {
        ApiError {
            kind: ErrorKind::Unprocessable,
            diagnostic: Box::new(diagnostic),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::BadRequest, codes::BAD_REQUEST, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::Internal, codes::INTERNAL, message)
            .hint("this is a bug in Kiln; please report it with the steps that led here")
    }

    pub fn no_project() -> Self {
        ApiError::new(ErrorKind::NoProject, codes::NO_PROJECT, "no project is open")
            .hint("open a project folder (the one holding dbt_project.yml) first")
    }

    pub fn unknown_id(what: &str, id: &str) -> Self {
        ApiError::new(
            ErrorKind::NotFound,
            codes::UNKNOWN_ID,
            format!("there is no {what} '{id}'"),
        )
        .hint(format!("the {what} may have been discarded; start it again"))
    }

    pub fn io(path: &str, error: &std::io::Error) -> Self {
        let kind = if error.kind() == std::io::ErrorKind::NotFound {
            ErrorKind::NotFound
        } else {
            ErrorKind::Internal
        };
        ApiError::new(kind, Code::Io.as_str(), format!("cannot access {path}: {error}"))
            .in_file(path)
            .hint("check that the file exists and that Kiln may read and write it")
    }

    /// The first error of a batch (or the first entry, if only warnings), keeping its location.
    pub fn from_diagnostics(diagnostics: &Diagnostics) -> Self {
        let first = diagnostics.errors().next().or_else(|| diagnostics.0.first());
        match first {
            Some(d) => ApiError::from(d.clone()),
            None => ApiError::internal("the operation failed without saying why"),
        }
    }

    /// A warehouse failure, coded by kiln-warehouse's one mapping (the CLI and the runner use it
    /// too). SQL positions stay as line and column of the statement that ran, for the console
    /// to move into the script.
    pub fn from_adapter(error: &AdapterError) -> Self {
        let mut out = ApiError::from(error.to_diagnostic(None));
        if matches!(error, AdapterError::Open { .. } | AdapterError::Io { .. }) {
            out.kind = ErrorKind::Internal;
        }
        if let AdapterError::Sql { line, column, .. } = error {
            out.diagnostic.line = line.map(to_u32);
            out.diagnostic.column = column.map(to_u32);
        }
        out
    }
}

/// A chart that could not be drawn: a spec that does not fit the data (K7001), or the warehouse.
impl From<kiln_dash::RunError> for ApiError {
    fn from(error: kiln_dash::RunError) -> Self {
        match error {
            kiln_dash::RunError::Spec(spec) => ApiError::from(spec.to_diagnostic()),
            kiln_dash::RunError::Warehouse(adapter) => ApiError::from_adapter(&adapter),
        }
    }
}

impl From<Diagnostic> for ApiError {
    fn from(value: Diagnostic) -> Self {
        let kind = match value.code {
            Code::WarehouseLocked => ErrorKind::Locked,
            Code::ProjectNotFound => ErrorKind::NotFound,
            _ => ErrorKind::Unprocessable,
        };
        ApiError {
            kind,
            diagnostic: Box::new(diagnostic_dto(&value)),
        }
    }
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub(crate) fn slash_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

pub fn diagnostic_dto(d: &Diagnostic) -> DiagnosticDto {
    DiagnosticDto {
        code: d.code.as_str().to_string(),
        severity: if d.is_error() {
            Severity::Error
        } else {
            Severity::Warning
        },
        message: d.message.clone(),
        file: d.location.as_ref().map(|l| slash_path(&l.file)),
        line: d.location.as_ref().and_then(|l| l.line).map(to_u32),
        column: d.location.as_ref().and_then(|l| l.column).map(to_u32),
        hint: d.hint.clone(),
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
