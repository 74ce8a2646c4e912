//! The studio's "Compare" of a model on two targets: the profile's targets for the picker, and
//! `kiln diff` (kiln-diff) of a model on the studio's target and another one.

use kiln_diff::{DiffOptions, RowDiff, Side};
use kiln_warehouse::Relation;

use crate::dto::{
    DiffChangeDto, DiffChecksumDto, DiffColumnDto, DiffModelRequest, DiffReportDto, DiffRowDto, Empty, TargetDto,
    TargetsResponse,
};
use crate::error::{ApiError, ApiResult};
use crate::state::ProjectState;
use crate::{blocking, Studio};

fn targets(state: &ProjectState) -> TargetsResponse {
    let targets = kiln_project::profile_targets(
        &state.root,
        Some(&state.target.profile_name),
        &state.profile_options(None),
    )
    .into_iter()
    .map(|(name, kind)| TargetDto { name, kind })
    .collect();
    TargetsResponse {
        current: state.target.name.clone(),
        targets,
    }
}

fn relation_of(manifest: &kiln_compile::Manifest, model: &str) -> ApiResult<Relation> {
    let r = manifest
        .relation_named(model)
        .ok_or_else(|| ApiError::bad_request(format!("no model, seed or snapshot is named '{model}'")))?;
    Ok(Relation::new(r.schema.clone(), r.identifier.clone()))
}

fn diff(state: &ProjectState, request: &DiffModelRequest) -> ApiResult<DiffReportDto> {
    if request.against == state.target.name {
        return Err(ApiError::bad_request(
            "pick a target other than the one the studio runs on",
        ));
    }
    let other = kiln_project::load_target(
        &state.root,
        Some(&state.target.profile_name),
        &state.profile_options(Some(request.against.clone())),
    )
    .map_err(|d| ApiError::from_diagnostics(&kiln_diagnostics::Diagnostics(vec![d])))?;
    let manifest = state.require_manifest()?;
    let project = state.project().map_err(|d| ApiError::from_diagnostics(&d))?;
    // The other target may name other schemas (generate_schema_name reads target.schema).
    let other_manifest = kiln_compile::parse(&project, &other, &kiln_compile::ParseOptions::default())
        .map_err(|d| ApiError::from_diagnostics(&d))?;
    let left_relation = relation_of(&manifest, &request.model)?;
    let right_relation = relation_of(&other_manifest, &request.model)?;
    let left = state.adapter()?;
    let right = kiln_targets::open(&other, 1)
        .map_err(|d| ApiError::from_diagnostics(&kiln_diagnostics::Diagnostics(vec![d])))?;
    let defaults = DiffOptions::default();
    let options = DiffOptions {
        key: request
            .key
            .iter()
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .collect(),
        row_limit: request.row_limit.unwrap_or(defaults.row_limit),
        show: request.show.map_or(defaults.show, |s| s as usize),
    };
    let report = kiln_diff::diff(
        &Side {
            label: state.target.name.clone(),
            adapter: left.as_ref(),
            relation: left_relation.clone(),
        },
        &Side {
            label: other.name.clone(),
            adapter: right.as_ref(),
            relation: right_relation.clone(),
        },
        &options,
    )
    .map_err(|e| match e {
        kiln_diff::DiffError::Warehouse { error, .. } => ApiError::from_adapter(&error),
        other => ApiError::bad_request(other.to_string()),
    })?;
    Ok(DiffReportDto {
        same: report.same(),
        left: report.left,
        right: report.right,
        left_relation: left_relation.unquoted(),
        right_relation: right_relation.unquoted(),
        columns: report
            .columns
            .into_iter()
            .map(|c| DiffColumnDto {
                name: c.name,
                left_type: c.left_type,
                right_type: c.right_type,
                compatible: c.compatible,
            })
            .collect(),
        left_rows: report.left_rows,
        right_rows: report.right_rows,
        checksums: report
            .checksums
            .into_iter()
            .map(|c| DiffChecksumDto {
                column: c.column,
                measure: c.measure,
                left: c.left,
                right: c.right,
                equal: c.equal,
            })
            .collect(),
        rows_skipped: report.rows_skipped,
        differing_rows: report.differing_rows,
        rows: report
            .rows
            .into_iter()
            .map(|row| match row {
                RowDiff::OnlyLeft { key } => DiffRowDto {
                    kind: "onlyLeft".into(),
                    key,
                    changes: vec![],
                },
                RowDiff::OnlyRight { key } => DiffRowDto {
                    kind: "onlyRight".into(),
                    key,
                    changes: vec![],
                },
                RowDiff::Changed { key, columns } => DiffRowDto {
                    kind: "changed".into(),
                    key,
                    changes: columns
                        .into_iter()
                        .map(|(column, left, right)| DiffChangeDto { column, left, right })
                        .collect(),
                },
            })
            .collect(),
    })
}

impl Studio {
    /// The targets of the project's profile, and the one the studio runs on.
    pub async fn targets(&self, _request: Empty) -> ApiResult<TargetsResponse> {
        let state = self.project()?;
        blocking(move || Ok(targets(&state))).await
    }

    /// A model on the studio's target compared with another target of the profile.
    pub async fn diff_model(&self, request: DiffModelRequest) -> ApiResult<DiffReportDto> {
        let state = self.project()?;
        blocking(move || diff(&state, &request)).await
    }
}
