//! The fleet: the inventory (hosts from the config and `~/.ssh/config`, resolved into a local
//! probe or an SSH route), the SSH pool, and the one session per host that every worker
//! reaching the host shares (see [`session`]).

pub mod inventory;
pub mod session;
pub mod ssh_config;

use std::sync::Arc;
use std::time::Duration;

pub use inventory::{Access, EndpointSpec, Fleet, FleetHost};
pub use session::{Class, HostLink, Sessions};

use crate::ssh::{Endpoint, SshPool, SshSettings, Target};

/// The pool every SSH worker shares, with the `[ssh]` settings of the config.
pub fn pool_for(cfg: &crate::config::Config) -> Arc<SshPool> {
    SshPool::new(SshSettings {
        known_hosts: crate::config::expand_tilde(&cfg.ssh.known_hosts),
        global_known_hosts: crate::ssh::GLOBAL_KNOWN_HOSTS.iter().map(std::path::PathBuf::from).collect(),
        host_key_check: cfg.ssh.host_key_check,
        host_key_check_set: cfg.ssh.host_key_check_set,
        connect_timeout: Duration::from_secs(cfg.ssh.connect_timeout_s),
        command_timeout: Duration::from_secs(cfg.ssh.command_timeout_s),
    })
}

fn endpoint(e: &EndpointSpec) -> Endpoint {
    Endpoint {
        name: e.name.clone(),
        address: e.address.clone(),
        port: e.port,
        user: e.user.clone(),
        identity_files: e.identity_files.clone(),
        options: e.options.clone(),
    }
}

impl FleetHost {
    /// The SSH target of the host, or None for one read locally.
    pub fn target(&self) -> Option<Target> {
        match &self.access {
            Access::Local => None,
            Access::Ssh { endpoint: e, via } => {
                Some(Target { endpoint: endpoint(e), via: via.iter().map(endpoint).collect() })
            }
        }
    }
}
