//! The query console's connections (what Redshift Query Editor v2 calls them): the profile's
//! targets and the user's saved connections (kiln-connections: a file without secrets, passwords
//! in the OS keyring), one adapter kept open per connection the console has used, and the
//! schema browser's lazy levels (schemas → relations → columns) on any of them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kiln_connections::{ConnectionKind, ConnectionStore, SavedConnection};
use kiln_project::{Target, TargetKind};
use kiln_warehouse::{Adapter, CatalogKind, Relation};

use crate::dto::{
    BrowseItemDto, BrowseKind, BrowseRequest, BrowseResponse, ConnectionDto, ConnectionSource, ConnectionSpecDto,
    ConnectionsResponse, DeleteConnectionRequest, Empty, SaveConnectionRequest, SaveConnectionResponse,
};
use crate::error::{ApiError, ApiResult};
use crate::state::ProjectState;
use crate::{blocking, lock, Studio};

const PROFILE: &str = "profile:";
const SAVED: &str = "saved:";

/// Adapters the console opened for connections other than the studio's target, by id.
#[derive(Default)]
pub(crate) struct OpenConnections(Mutex<HashMap<String, Arc<dyn Adapter>>>);

impl OpenConnections {
    /// Forgets (and so closes, once running statements let go) the adapter of `id`.
    pub fn forget(&self, id: &str) {
        lock(&self.0).remove(id);
    }

    /// Cancels whatever the console runs on its other connections.
    pub fn interrupt_all(&self) {
        let open: Vec<Arc<dyn Adapter>> = lock(&self.0).values().cloned().collect();
        for adapter in open {
            adapter.interrupt();
        }
    }

    pub fn clear(&self) {
        lock(&self.0).clear();
    }
}

/// Where a console statement runs.
pub(crate) struct Console {
    /// `profile:<target>` or `saved:<name>`.
    pub id: String,
    pub adapter: Arc<dyn Adapter>,
    pub kind: TargetKind,
    /// The project's own warehouse (streaming DDL and model previews only run there).
    pub is_warehouse: bool,
}

fn saved_error(error: &kiln_connections::ConnectionError) -> ApiError {
    ApiError::from(error.to_diagnostic())
}

impl Studio {
    fn connection_store(&self) -> ApiResult<ConnectionStore> {
        let dir = self
            .config_dir()
            .ok_or_else(|| ApiError::bad_request("Kiln has no configuration folder (set KILN_CONFIG_DIR or HOME)"))?;
        ConnectionStore::open(&dir).map_err(|e| saved_error(&e))
    }

    /// The console's target for `connection` (the studio's target when `None`), opened on first use.
    pub(crate) fn console(&self, state: &ProjectState, connection: Option<&str>) -> ApiResult<Console> {
        let active = format!("{PROFILE}{}", state.target.name);
        let id = connection.filter(|c| !c.is_empty()).unwrap_or(&active);
        if id == active {
            return Ok(Console {
                id: active,
                adapter: state.adapter()?,
                kind: state.target.kind.clone(),
                is_warehouse: true,
            });
        }
        let target = self.connection_target(state, id)?;
        let cached = lock(&state.consoles.0).get(id).cloned();
        let adapter = match cached {
            Some(adapter) => adapter,
            None => {
                // One session for the console and one for the schema browser beside it.
                let adapter = kiln_targets::open(&target, 2)?;
                lock(&state.consoles.0).insert(id.to_string(), adapter.clone());
                adapter
            }
        };
        Ok(Console {
            id: id.to_string(),
            adapter,
            kind: target.kind,
            is_warehouse: false,
        })
    }

    fn connection_target(&self, state: &ProjectState, id: &str) -> ApiResult<Target> {
        if let Some(name) = id.strip_prefix(PROFILE) {
            if state.target.kind == TargetKind::DuckDb && name != state.target.name {
                // Another DuckDB target may be the same file, which this process holds already.
                let other = load_profile_target(state, name)?;
                if other.kind == TargetKind::DuckDb {
                    return Err(ApiError::bad_request(format!(
                        "the console runs on one DuckDB warehouse at a time; target '{name}' is another DuckDB file"
                    ))
                    .hint("pick a server connection, or open the studio with --target"));
                }
                return Ok(other);
            }
            return load_profile_target(state, name);
        }
        if let Some(name) = id.strip_prefix(SAVED) {
            return self.connection_store()?.target(name).map_err(|e| saved_error(&e));
        }
        Err(ApiError::bad_request(format!("'{id}' is not a connection id"))
            .hint("use an id from the connections list: profile:<target> or saved:<name>"))
    }

    /// The profile's targets and the saved connections, without secrets.
    pub async fn connections(&self, _request: Empty) -> ApiResult<ConnectionsResponse> {
        let state = self.project()?;
        let studio = self.clone();
        blocking(move || {
            let mut connections: Vec<ConnectionDto> = kiln_project::profile_targets(
                &state.root,
                Some(&state.target.profile_name),
                &state.profile_options(None),
            )
            .into_iter()
            .map(|(name, kind)| ConnectionDto {
                id: format!("{PROFILE}{name}"),
                active: name == state.target.name,
                name,
                source: ConnectionSource::Profile,
                kind,
                spec: None,
                has_password: false,
            })
            .collect();
            if !connections.iter().any(|c| c.active) {
                // The embedded default (no profiles.yml) is a target too.
                connections.insert(
                    0,
                    ConnectionDto {
                        id: format!("{PROFILE}{}", state.target.name),
                        name: state.target.name.clone(),
                        source: ConnectionSource::Profile,
                        kind: state.target.kind.as_str().to_string(),
                        active: true,
                        spec: None,
                        has_password: false,
                    },
                );
            }
            let store = studio.connection_store()?;
            for saved in store.list().map_err(|e| saved_error(&e))? {
                let has_password = store.has_password(&saved.name).unwrap_or(false);
                connections.push(saved_dto(&saved, has_password));
            }
            Ok(ConnectionsResponse { connections })
        })
        .await
    }

    /// Connects with the given settings (and password), then saves them — the password to the
    /// OS keyring, the rest to the user's connections.yml. A failed connection is a K4006
    /// diagnostic and saves nothing.
    pub async fn save_connection(&self, request: SaveConnectionRequest) -> ApiResult<SaveConnectionResponse> {
        let studio = self.clone();
        let state = self.project().ok();
        blocking(move || {
            let store = studio.connection_store()?;
            let saved = from_spec(&request.connection)?;
            saved.validate().map_err(|e| saved_error(&e))?;
            let typed = request.password.as_ref().map(|p| p.0.clone()).filter(|p| !p.is_empty());
            let password = match typed {
                Some(password) => Some(password),
                // Editing without retyping: test with the password already in the keyring.
                None if !saved.is_data_api() => store
                    .target(&saved.name)
                    .ok()
                    .and_then(|t| t.password.map(|p| p.expose().to_string())),
                None => None,
            };
            let test_only = request.test_only.unwrap_or(false);
            let (tested, message) = if request.skip_test.unwrap_or(false) && !test_only {
                (false, "saved without testing".to_string())
            } else {
                let target = saved.target(password.clone());
                let adapter = kiln_targets::open(&target, 1)?;
                let mut message = format!("Connected to {} {}", target.kind.as_str(), describe(&saved));
                if let Ok(result) = adapter.query("select version()", Some(1)) {
                    if let Some(version) = result.rows.first().and_then(|r| r.first()).and_then(|v| v.as_str()) {
                        message = format!("{message} — {}", version.split(" on ").next().unwrap_or(version));
                    }
                }
                (true, message)
            };
            if !test_only {
                store.save(&saved, password.as_deref()).map_err(|e| saved_error(&e))?;
                if let Some(state) = &state {
                    state.consoles.forget(&format!("{SAVED}{}", saved.name));
                }
            }
            let has_password = !test_only && store.has_password(&saved.name).unwrap_or(false);
            Ok(SaveConnectionResponse {
                connection: saved_dto(&saved, has_password),
                tested,
                message,
                saved: !test_only,
            })
        })
        .await
    }

    /// Removes a saved connection and its password from the keyring.
    pub async fn delete_connection(&self, request: DeleteConnectionRequest) -> ApiResult<Empty> {
        let studio = self.clone();
        let state = self.project().ok();
        blocking(move || {
            let name = request.id.strip_prefix(SAVED).unwrap_or(&request.id);
            if request.id.starts_with(PROFILE) {
                return Err(ApiError::bad_request("a profile target cannot be deleted here")
                    .hint("edit profiles.yml to remove it"));
            }
            studio.connection_store()?.delete(name).map_err(|e| saved_error(&e))?;
            if let Some(state) = &state {
                state.consoles.forget(&format!("{SAVED}{name}"));
            }
            Ok(Empty {})
        })
        .await
    }

    /// One level of the schema browser on a connection: its schemas; with `schema`, that
    /// schema's relations; with `relation` too, that relation's columns.
    pub async fn browse(&self, request: BrowseRequest) -> ApiResult<BrowseResponse> {
        let state = self.project()?;
        let studio = self.clone();
        blocking(move || {
            let console = studio.console(&state, request.connection.as_deref())?;
            let adapter = console.adapter;
            let failed = |e: kiln_warehouse::AdapterError| ApiError::from_adapter(&e);
            let items = match (&request.schema, &request.relation) {
                (None, _) => adapter
                    .list_schemas()
                    .map_err(failed)?
                    .into_iter()
                    .map(|name| BrowseItemDto {
                        name,
                        kind: BrowseKind::Schema,
                        data_type: None,
                    })
                    .collect(),
                (Some(schema), None) => adapter
                    .list_relations_in(schema)
                    .map_err(failed)?
                    .into_iter()
                    .map(|entry| BrowseItemDto {
                        name: entry.name,
                        kind: match entry.kind {
                            CatalogKind::Table => BrowseKind::Table,
                            CatalogKind::View => BrowseKind::View,
                            CatalogKind::MaterializedView => BrowseKind::MaterializedView,
                            CatalogKind::ExternalTable => BrowseKind::ExternalTable,
                            CatalogKind::LateBindingView => BrowseKind::LateBindingView,
                        },
                        data_type: None,
                    })
                    .collect(),
                (Some(schema), Some(relation)) => adapter
                    .browse_columns(&Relation::new(schema.clone(), relation.clone()))
                    .map_err(failed)?
                    .into_iter()
                    .map(|column| BrowseItemDto {
                        name: column.name,
                        kind: BrowseKind::Column,
                        data_type: Some(column.data_type),
                    })
                    .collect(),
            };
            Ok(BrowseResponse {
                connection: console.id,
                items,
            })
        })
        .await
    }
}

fn load_profile_target(state: &ProjectState, name: &str) -> ApiResult<Target> {
    kiln_project::load_target(
        &state.root,
        Some(&state.target.profile_name),
        &state.profile_options(Some(name.to_string())),
    )
    .map_err(ApiError::from)
}

fn describe(saved: &SavedConnection) -> String {
    if saved.is_data_api() {
        let on = saved
            .data_api
            .get("workgroup_name")
            .or_else(|| saved.data_api.get("cluster_identifier"))
            .cloned()
            .unwrap_or_default();
        return format!("through the Data API on {on}");
    }
    format!(
        "at {}:{} as {}",
        saved.host.as_deref().unwrap_or_default(),
        saved.port.map(|p| p.to_string()).unwrap_or_else(|| match saved.kind {
            ConnectionKind::Postgres => "5432".into(),
            ConnectionKind::Redshift => "5439".into(),
        }),
        saved.user.as_deref().unwrap_or_default()
    )
}

fn blank(value: &Option<String>) -> Option<String> {
    value.as_ref().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn from_spec(spec: &ConnectionSpecDto) -> ApiResult<SavedConnection> {
    let kind = match spec.kind.as_str() {
        "postgres" => ConnectionKind::Postgres,
        "redshift" => ConnectionKind::Redshift,
        other => {
            return Err(ApiError::bad_request(format!(
                "a saved connection is postgres or redshift, not '{other}'"
            )))
        }
    };
    Ok(SavedConnection {
        name: spec.name.trim().to_string(),
        kind,
        host: blank(&spec.host),
        port: spec.port,
        dbname: blank(&spec.dbname),
        user: blank(&spec.user),
        schema: blank(&spec.schema),
        sslmode: blank(&spec.sslmode),
        method: blank(&spec.method).filter(|m| m != "database"),
        data_api: spec
            .data_api
            .iter()
            .map(|(k, v)| (k.clone(), v.trim().to_string()))
            .filter(|(_, v)| !v.is_empty())
            .collect(),
    })
}

fn saved_dto(saved: &SavedConnection, has_password: bool) -> ConnectionDto {
    ConnectionDto {
        id: format!("{SAVED}{}", saved.name),
        name: saved.name.clone(),
        source: ConnectionSource::Saved,
        kind: saved.kind.as_str().to_string(),
        active: false,
        spec: Some(ConnectionSpecDto {
            name: saved.name.clone(),
            kind: saved.kind.as_str().to_string(),
            host: saved.host.clone(),
            port: saved.port,
            dbname: saved.dbname.clone(),
            user: saved.user.clone(),
            schema: saved.schema.clone(),
            sslmode: saved.sslmode.clone(),
            method: saved.method.clone(),
            data_api: saved.data_api.clone(),
        }),
        has_password,
    }
}
