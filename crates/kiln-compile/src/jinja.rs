//! The Jinja environment dbt projects expect, on minijinja. Per-render state (which node is rendering,
//! what it refers to, its `config()` calls) lives in a thread-local, because project macros are
//! imported modules whose calls do not see the caller's render context.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use minijinja::value::{Kwargs, Object, Value};
use minijinja::{Environment, Error, ErrorKind, State};
use serde_json::Map;

/// A relation as templates see it: renders as `"schema"."identifier"`, exposes dbt's attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationValue {
    pub database: Option<String>,
    pub schema: String,
    pub identifier: String,
    /// For ephemeral models: render as this CTE name instead.
    pub cte: Option<String>,
}

impl RelationValue {
    pub fn rendered(&self) -> String {
        if let Some(cte) = &self.cte {
            return cte.clone();
        }
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        match &self.database {
            Some(db) => format!("{}.{}.{}", quote(db), quote(&self.schema), quote(&self.identifier)),
            None => format!("{}.{}", quote(&self.schema), quote(&self.identifier)),
        }
    }
}

impl fmt::Display for RelationValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rendered())
    }
}

impl Object for RelationValue {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "schema" => Some(Value::from(self.schema.clone())),
            "identifier" | "name" | "table" => Some(Value::from(self.identifier.clone())),
            "database" => Some(self.database.clone().map(Value::from).unwrap_or(Value::from(()))),
            _ => None,
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rendered())
    }
}

/// What `ref()`/`source()` resolve against.
pub trait Resolver: Send + Sync {
    /// Returns the unique_id and relation for `ref(package?, name)`, or an error message.
    fn resolve_ref(&self, package: Option<&str>, name: &str) -> Result<(String, RelationValue), String>;
    fn resolve_source(&self, source: &str, table: &str) -> Result<(String, RelationValue), String>;
    fn doc(&self, name: &str) -> Option<String>;
}

/// Something that can run a query for `run_query()` during compilation.
pub trait QueryRunner: Send + Sync {
    fn run_query(&self, sql: &str) -> Result<(Vec<String>, Vec<Vec<serde_json::Value>>), String>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    UnknownRef,
    UnknownSource,
    Compiler,
}

/// Collected during one render.
#[derive(Default)]
pub struct RenderState {
    pub refs: Vec<String>,
    pub ephemeral_refs: Vec<String>,
    pub config: Map<String, serde_json::Value>,
    pub logs: Vec<String>,
    pub failure: Option<(FailureKind, String)>,
}

pub struct RenderInputs {
    pub resolver: Arc<dyn Resolver>,
    pub execute: bool,
    pub is_incremental: bool,
    pub runner: Option<Arc<dyn QueryRunner>>,
    pub vars: Arc<Map<String, serde_json::Value>>,
}

thread_local! {
    static CURRENT: RefCell<Option<(Arc<RenderInputs>, RenderState)>> = const { RefCell::new(None) };
}

/// Runs `f` with `inputs` installed as the current render context and returns what it collected.
pub fn with_render<T>(inputs: Arc<RenderInputs>, f: impl FnOnce() -> T) -> (T, RenderState) {
    let previous = CURRENT.with(|c| c.borrow_mut().replace((inputs, RenderState::default())));
    let result = f();
    let state = CURRENT.with(|c| {
        let mut slot = c.borrow_mut();
        let taken = slot.take().map(|(_, s)| s).unwrap_or_default();
        *slot = previous;
        taken
    });
    (result, state)
}

fn with_current<T>(f: impl FnOnce(&RenderInputs, &mut RenderState) -> Result<T, Error>) -> Result<T, Error> {
    CURRENT.with(|c| match c.borrow_mut().as_mut() {
        Some((inputs, state)) => f(inputs, state),
        None => Err(Error::new(
            ErrorKind::InvalidOperation,
            "no render context (internal error)",
        )),
    })
}

fn fail(kind: FailureKind, message: String) -> Error {
    let _ = with_current(|_, state| {
        if state.failure.is_none() {
            state.failure = Some((kind, message.clone()));
        }
        Ok(())
    });
    Error::new(ErrorKind::InvalidOperation, message)
}

fn ref_fn(args: &[Value]) -> Result<Value, Error> {
    let strings: Vec<String> = args.iter().filter_map(|a| a.as_str().map(str::to_string)).collect();
    let (package, name) = match strings.as_slice() {
        [name] => (None, name.clone()),
        [package, name] => (Some(package.clone()), name.clone()),
        _ => {
            return Err(fail(
                FailureKind::Compiler,
                "ref() takes a model name, or a package and a model name".into(),
            ))
        }
    };
    let resolver = with_current(|inputs, _| Ok(inputs.resolver.clone()))?;
    match resolver.resolve_ref(package.as_deref(), &name) {
        Ok((id, relation)) => {
            with_current(|_, state| {
                if relation.cte.is_some() && !state.ephemeral_refs.contains(&id) {
                    state.ephemeral_refs.push(id.clone());
                }
                if !state.refs.contains(&id) {
                    state.refs.push(id);
                }
                Ok(())
            })?;
            Ok(Value::from_object(relation))
        }
        Err(message) => Err(fail(FailureKind::UnknownRef, message)),
    }
}

fn source_fn(source: String, table: String) -> Result<Value, Error> {
    let resolver = with_current(|inputs, _| Ok(inputs.resolver.clone()))?;
    match resolver.resolve_source(&source, &table) {
        Ok((id, relation)) => {
            with_current(|_, state| {
                if !state.refs.contains(&id) {
                    state.refs.push(id);
                }
                Ok(())
            })?;
            Ok(Value::from_object(relation))
        }
        Err(message) => Err(fail(FailureKind::UnknownSource, message)),
    }
}

/// `config` is both callable (`config(materialized='table')`) and an object (`config.get('x')`).
#[derive(Debug)]
struct ConfigObject;

impl Object for ConfigObject {
    fn call(self: &Arc<Self>, _state: &State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        let mut collected = Map::new();
        for arg in args {
            if let Ok(kwargs) = Kwargs::try_from(arg.clone()) {
                for key in kwargs.args() {
                    let value: Value = kwargs.get(key)?;
                    collected.insert(key.to_string(), to_json(&value));
                }
            } else if arg.kind() == minijinja::value::ValueKind::Map {
                if let serde_json::Value::Object(map) = to_json(arg) {
                    collected.extend(map);
                }
            }
        }
        with_current(|_, state| {
            for (key, value) in collected {
                if key == "tags" {
                    let mut merged = kiln_project::NodeConfig(std::mem::take(&mut state.config));
                    merged.merge(&kiln_project::NodeConfig(Map::from_iter([(key, value)])));
                    state.config = merged.0;
                } else {
                    state.config.insert(key, value);
                }
            }
            Ok(())
        })?;
        Ok(Value::from(""))
    }

    fn call_method(self: &Arc<Self>, _state: &State<'_, '_>, method: &str, args: &[Value]) -> Result<Value, Error> {
        let key = args.first().and_then(|v| v.as_str()).unwrap_or_default().to_string();
        let found = with_current(|_, state| Ok(state.config.get(&key).cloned()))?;
        match (method, found) {
            ("get", Some(v)) | ("require", Some(v)) => Ok(Value::from_serialize(&v)),
            ("get", None) => Ok(args.get(1).cloned().unwrap_or(Value::from(()))),
            ("require", None) => Err(fail(
                FailureKind::Compiler,
                format!("config '{key}' is required but not set"),
            )),
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("config has no method {method}"),
            )),
        }
    }
}

#[derive(Debug)]
struct Exceptions;

impl Object for Exceptions {
    fn call_method(self: &Arc<Self>, _state: &State<'_, '_>, method: &str, args: &[Value]) -> Result<Value, Error> {
        let message = args.first().map(|v| v.to_string()).unwrap_or_default();
        match method {
            "raise_compiler_error" => Err(fail(FailureKind::Compiler, message)),
            "warn" => {
                with_current(|_, state| {
                    state.logs.push(format!("warning: {message}"));
                    Ok(())
                })?;
                Ok(Value::from(""))
            }
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("exceptions has no method {method}"),
            )),
        }
    }
}

fn var_fn(name: String, default: Option<Value>) -> Result<Value, Error> {
    with_current(|inputs, _| match inputs.vars.get(&name) {
        Some(value) => Ok(Value::from_serialize(value)),
        None => {
            default.ok_or_else(|| Error::new(ErrorKind::InvalidOperation, format!("required var '{name}' is not set")))
        }
    })
    .map_err(|e| {
        if e.kind() == ErrorKind::InvalidOperation {
            fail(FailureKind::Compiler, e.detail().unwrap_or_default().to_string())
        } else {
            e
        }
    })
}

fn is_incremental_fn() -> Result<bool, Error> {
    with_current(|inputs, _| Ok(inputs.is_incremental))
}

fn log_fn(message: Value, _info: Option<bool>) -> Result<Value, Error> {
    with_current(|_, state| {
        state.logs.push(message.to_string());
        Ok(Value::from(""))
    })
}

fn doc_fn(name: String) -> Result<Value, Error> {
    let resolver = with_current(|inputs, _| Ok(inputs.resolver.clone()))?;
    resolver.doc(&name).map(Value::from).ok_or_else(|| {
        fail(
            FailureKind::Compiler,
            format!("documentation block '{name}' is not defined in any .md file"),
        )
    })
}

fn run_query_fn(sql: String) -> Result<Value, Error> {
    let (execute, runner) = with_current(|inputs, _| Ok((inputs.execute, inputs.runner.clone())))?;
    if !execute {
        // dbt's parse phase has no connection either: run_query returns none then.
        return Ok(Value::from(()));
    }
    let runner = runner.ok_or_else(|| {
        fail(
            FailureKind::Compiler,
            "run_query() needs a warehouse connection; run it with `kiln run`/`kiln compile` against a target".into(),
        )
    })?;
    let (columns, rows) = runner
        .run_query(&sql)
        .map_err(|e| fail(FailureKind::Compiler, format!("run_query failed: {e}")))?;
    let mut table = BTreeMap::new();
    table.insert("column_names", Value::from_serialize(&columns));
    table.insert("rows", Value::from_serialize(&rows));
    let mut by_column = BTreeMap::new();
    for (index, column) in columns.iter().enumerate() {
        let values: Vec<&serde_json::Value> = rows.iter().filter_map(|r| r.get(index)).collect();
        by_column.insert(column.clone(), Value::from_serialize(&values));
    }
    table.insert("columns", Value::from_serialize(&by_column));
    Ok(Value::from_serialize(&table))
}

pub fn to_json(value: &Value) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// Target facts templates read as `target.name`, `target.schema` …
pub fn target_value(target: &kiln_project::Target) -> Value {
    let mut map = BTreeMap::new();
    map.insert("name", Value::from(target.name.clone()));
    map.insert("schema", Value::from(target.schema.clone()));
    map.insert("type", Value::from(target.kind.as_str().to_string()));
    map.insert("threads", Value::from(target.threads));
    map.insert("profile_name", Value::from(target.profile_name.clone()));
    map.insert("database", Value::from(target.database.clone().unwrap_or_default()));
    map.insert("user", Value::from(target.user.clone().unwrap_or_default()));
    Value::from_serialize(&map)
}

pub fn build_environment(target: &kiln_project::Target) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    env.set_keep_trailing_newline(true);
    env.add_function("ref", ref_fn);
    env.add_function("source", source_fn);
    env.add_function("var", var_fn);
    env.add_function("env_var", kiln_project_env_var);
    env.add_function("is_incremental", is_incremental_fn);
    env.add_function("log", log_fn);
    env.add_function("doc", doc_fn);
    env.add_function("run_query", run_query_fn);
    env.add_function("fromjson", |s: String| -> Result<Value, Error> {
        serde_json::from_str::<serde_json::Value>(&s)
            .map(|v| Value::from_serialize(&v))
            .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("fromjson: {e}")))
    });
    env.add_function("tojson", |v: Value| -> Result<String, Error> {
        serde_json::to_string(&to_json(&v)).map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
    });
    env.add_global("config", Value::from_object(ConfigObject));
    env.add_global("exceptions", Value::from_object(Exceptions));
    env.add_global("target", target_value(target));
    env.add_filter("as_bool", |v: Value| v.is_true());
    env.add_filter("as_number", |v: Value| v);
    env.add_filter("as_text", |v: Value| v.to_string());
    env.add_filter("as_native", |v: Value| v);
    env
}

fn kiln_project_env_var(name: String, default: Option<Value>) -> Result<Value, Error> {
    kiln_project_env(name, default)
}

fn kiln_project_env(name: String, default: Option<Value>) -> Result<Value, Error> {
    match std::env::var(&name) {
        Ok(value) => Ok(Value::from(value)),
        Err(_) => default.ok_or_else(|| {
            fail(
                FailureKind::Compiler,
                format!("environment variable '{name}' is not set and env_var() has no default"),
            )
        }),
    }
}
