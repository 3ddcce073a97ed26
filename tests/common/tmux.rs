//! A real pseudo-terminal for tests: a private tmux server (its own socket in
//! the test home) running one command, driven with `send-keys` and read with
//! `capture-pane`. tmux is installed by scripts/install-test-deps.sh.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::Home;

/// How long to wait for the screen to show something before failing the test.
/// Generous: this is a deadline for a slow machine, not a timing assertion.
const PATIENCE: Duration = Duration::from_secs(60);

pub struct Tmux {
    socket: PathBuf,
    env: Vec<(String, String)>,
}

impl Tmux {
    /// Starts `script` (run by sh) in a 120x40 terminal with `home`'s
    /// environment and xacct on PATH.
    pub fn start(home: &Home, script: &str) -> Self {
        // One server per terminal: a socket of its own, never one a closing server still holds.
        static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let socket = home.path().join(format!("tmux-{n}.sock"));
        let mut probe = Command::new("true");
        home.apply(&mut probe);
        // The pane's environment, explicitly: a tmux server keeps the one it started with.
        let bin_dir = assert_cmd::cargo::cargo_bin("xacct").parent().unwrap().to_owned();
        let mut env: Vec<(String, String)> = probe
            .get_envs()
            .filter_map(|(k, v)| Some((k.to_str()?.to_owned(), v?.to_str()?.to_owned())))
            .collect();
        env.push((
            "PATH".into(),
            format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default()),
        ));
        env.push(("TERM".into(), "xterm-256color".into()));
        let tmux = Self { socket, env };
        let runner = home.path().join(format!("pane-{n}.sh"));
        std::fs::write(&runner, tmux.pane_script(home.path(), script)).unwrap();
        tmux.run(&[
            "new-session",
            "-d",
            "-x",
            "120",
            "-y",
            "40",
            "sh",
            runner.to_str().unwrap(),
        ]);
        tmux
    }

    fn pane_script(&self, dir: &Path, script: &str) -> String {
        let mut text = String::new();
        // A clean environment: only what the test home says, never the machine's AWS_*.
        for (name, _) in std::env::vars() {
            if name.starts_with("AWS_") || name.starts_with("XACCT_") {
                text.push_str(&format!("unset {name}\n"));
            }
        }
        for (name, value) in &self.env {
            text.push_str(&format!("export {name}='{}'\n", value.replace('\'', "'\\''")));
        }
        text.push_str(&format!("cd '{}'\n{script}\n", dir.display()));
        // Keep the pane (and its screen) after the script ends.
        text.push_str("echo '[pane done]'; sleep 600\n");
        text
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("tmux runs (scripts/install-test-deps.sh installs it)");
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types `text` literally.
    pub fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-l", text]);
    }

    /// Presses a key by tmux's name for it: Enter, Escape, Tab, Down ...
    pub fn press(&self, key: &str) {
        self.run(&["send-keys", key]);
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-J"])
    }

    /// The screen with its colors, as escape sequences.
    pub fn screen_with_colors(&self) -> String {
        self.run(&["capture-pane", "-p", "-J", "-e"])
    }

    /// Waits until the screen shows `text`; returns the screen.
    #[track_caller]
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(|screen| screen.contains(text), text)
    }

    #[track_caller]
    pub fn wait_until(&self, done: impl Fn(&str) -> bool, what: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the terminal never showed {what:?}; it shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}
