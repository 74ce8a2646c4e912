//! Where passwords go: the OS keyring through the keyring-rs ecosystem (`keyring-core` and a
//! platform store). On Linux that is the kernel's keyutils (`linux-keyutils-keyring-store`):
//! it needs no daemon, where Secret Service needs gnome-keyring or KWallet running, which
//! servers, containers and many desktops lack. Keyutils keeps keys in kernel memory, linked to
//! the user's persistent keyring (kept a few days after the last session) and the session
//! keyring (created for the process when it has none) — so a reboot forgets them, and [`crate::ConnectionStore::target`] then asks for the
//! password again instead of failing obscurely.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};

use crate::ConnectionError;

/// A place for connection passwords, keyed by connection name.
pub trait SecretStore: Send + Sync {
    fn set(&self, name: &str, secret: &str) -> Result<(), ConnectionError>;
    /// `None` when there is no entry.
    fn get(&self, name: &str) -> Result<Option<String>, ConnectionError>;
    /// Removing a missing entry is not an error.
    fn delete(&self, name: &str) -> Result<(), ConnectionError>;
}

/// The OS keyring, entries filed under one service name.
pub struct OsKeyring {
    store: Arc<CredentialStore>,
    service: String,
}

impl OsKeyring {
    pub fn new(service: &str) -> Result<OsKeyring, ConnectionError> {
        Ok(OsKeyring {
            store: platform_store()?,
            service: service.to_string(),
        })
    }

    fn entry(&self, name: &str) -> Result<Entry, ConnectionError> {
        Entry::new_in_store(&self.store, &self.service, name).map_err(|e| failure(&e))
    }
}

#[cfg(target_os = "linux")]
fn platform_store() -> Result<Arc<CredentialStore>, ConnectionError> {
    // A process started outside a login session (a container, a service without pam_keyinit)
    // has no session keyring, and the kernel falls back to the user-session keyring, whose keys
    // the process does not possess: it could add a password but never read it back. Creating
    // the session keyring (what pam_keyinit does at login) makes the keys possessed; the store
    // links the user's persistent keyring into it, so another Kiln process finds them too.
    linux_keyutils::KeyRing::from_special_id(linux_keyutils::KeyRingIdentifier::Session, true)
        .map_err(|e| ConnectionError::Keyring(format!("no session keyring: {e:?}")))?;
    let store: Arc<CredentialStore> = linux_keyutils_keyring_store::Store::new().map_err(|e| failure(&e))?;
    Ok(store)
}

#[cfg(not(target_os = "linux"))]
fn platform_store() -> Result<Arc<CredentialStore>, ConnectionError> {
    Err(ConnectionError::Keyring(
        "this build of Kiln has no OS keyring for this platform yet (only Linux's kernel keyring)".into(),
    ))
}

/// The keyring's error as text. Its `Display` never includes secret bytes (a badly encoded
/// secret is reported without them).
fn failure(error: &keyring_core::Error) -> ConnectionError {
    ConnectionError::Keyring(error.to_string())
}

impl SecretStore for OsKeyring {
    fn set(&self, name: &str, secret: &str) -> Result<(), ConnectionError> {
        self.entry(name)?.set_password(secret).map_err(|e| failure(&e))
    }

    fn get(&self, name: &str) -> Result<Option<String>, ConnectionError> {
        match self.entry(name)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(failure(&e)),
        }
    }

    fn delete(&self, name: &str) -> Result<(), ConnectionError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(failure(&e)),
        }
    }
}
