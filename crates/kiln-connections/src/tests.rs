use super::*;

const SENTINEL: &str = "S3ntinel-pw-do-not-print-7f3a";

/// The real OS keyring (the kernel's keyutils here), under a service name of the test's own so
/// parallel tests and other processes never share entries.
fn store(dir: &Path, test: &str) -> ConnectionStore {
    let service = format!("kiln-test-{}-{test}", std::process::id());
    ConnectionStore::with_secrets(dir, Arc::new(OsKeyring::new(&service).unwrap()))
}

fn postgres(name: &str) -> SavedConnection {
    SavedConnection {
        name: name.into(),
        kind: ConnectionKind::Postgres,
        host: Some("127.0.0.1".into()),
        port: Some(5439),
        dbname: Some("dev".into()),
        user: Some("analyst".into()),
        schema: None,
        sslmode: Some("disable".into()),
        method: None,
        data_api: BTreeMap::new(),
    }
}

#[test]
fn a_saved_connection_keeps_its_password_in_the_keyring_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path(), "roundtrip");
    store.save(&postgres("warehouse"), Some(SENTINEL)).unwrap();

    let text = std::fs::read_to_string(store.file()).unwrap();
    assert!(!text.contains(SENTINEL), "{text}");
    assert!(text.contains("host: 127.0.0.1"), "{text}");
    assert!(text.starts_with("# Kiln's saved connections"), "{text}");

    let target = store.target("warehouse").unwrap();
    assert_eq!(target.kind, TargetKind::Postgres);
    assert_eq!(target.password.as_ref().map(|p| p.expose()), Some(SENTINEL));
    assert_eq!(target.database.as_deref(), Some("dev"));
    assert_eq!(target.schema, "public");
    assert_eq!(target.settings.get("sslmode"), Some(&Value::from("disable")));
    assert!(!format!("{target:?}").contains(SENTINEL));
    assert!(store.has_password("warehouse").unwrap());

    // Saved again without a password: the one in the keyring stays.
    let mut edited = postgres("warehouse");
    edited.port = Some(5432);
    store.save(&edited, None).unwrap();
    assert_eq!(store.list().unwrap(), vec![edited]);
    assert_eq!(
        store
            .target("warehouse")
            .unwrap()
            .password
            .map(|p| p.expose().to_string()),
        Some(SENTINEL.to_string())
    );

    store.delete("warehouse").unwrap();
    assert!(store.list().unwrap().is_empty());
    assert!(
        !store.has_password("warehouse").unwrap(),
        "delete removes the keyring entry"
    );
    assert!(matches!(store.delete("warehouse"), Err(ConnectionError::NotFound(_))));
}

#[test]
fn a_password_the_keyring_forgot_is_an_error_that_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path(), "forgot");
    store.save(&postgres("gone"), Some(SENTINEL)).unwrap();
    store.secrets.delete("gone").unwrap();
    let error = store.target("gone").unwrap_err();
    assert!(matches!(error, ConnectionError::MissingPassword(_)), "{error}");
    let diagnostic = error.to_diagnostic();
    assert_eq!(diagnostic.code, Code::SavedConnection);
    assert!(diagnostic.hint.unwrap_or_default().contains("password again"));
}

#[test]
fn data_api_connections_need_no_password() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path(), "dataapi");
    let connection = SavedConnection {
        name: "serverless".into(),
        kind: ConnectionKind::Redshift,
        host: None,
        port: None,
        dbname: Some("dev".into()),
        user: None,
        schema: Some("analytics".into()),
        sslmode: None,
        method: Some("data_api".into()),
        data_api: BTreeMap::from([
            ("workgroup_name".to_string(), "wg".to_string()),
            ("region".to_string(), "us-east-1".to_string()),
        ]),
    };
    store.save(&connection, None).unwrap();
    let target = store.target("serverless").unwrap();
    assert_eq!(target.kind, TargetKind::Redshift);
    assert!(target.password.is_none());
    assert_eq!(target.settings.get("method"), Some(&Value::from("data_api")));
    assert_eq!(target.settings.get("workgroup_name"), Some(&Value::from("wg")));
    assert_eq!(target.schema, "analytics");

    let mut bad = connection.clone();
    bad.data_api.insert("password".into(), SENTINEL.into());
    assert!(matches!(store.save(&bad, None), Err(ConnectionError::Invalid(_))));
}

#[test]
fn bad_names_and_missing_hosts_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path(), "invalid");
    assert!(matches!(
        store.save(&postgres("a/b"), Some(SENTINEL)),
        Err(ConnectionError::Invalid(_))
    ));
    let mut no_host = postgres("nohost");
    no_host.host = None;
    assert!(matches!(
        store.save(&no_host, Some(SENTINEL)),
        Err(ConnectionError::Invalid(_))
    ));
    assert!(!store.file().exists());
    assert!(!store.has_password("nohost").unwrap());
}

#[test]
fn a_password_written_into_the_file_by_hand_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path(), "handwritten");
    std::fs::write(
        store.file(),
        "connections:\n  - name: x\n    type: postgres\n    host: h\n    password: hunter2\n",
    )
    .unwrap();
    let error = store.list().unwrap_err();
    let ConnectionError::Parse { line, .. } = &error else {
        panic!("{error}")
    };
    assert_eq!(*line, Some(5), "{error}");
    assert_eq!(error.to_diagnostic().code, Code::SavedConnection);
}
