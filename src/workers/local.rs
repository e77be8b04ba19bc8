//! Commands run on this machine for the workers that run the same commands here or on a
//! host over SSH (the division codes' impact counts, the backup checks).

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `sh -c script sh args…` here: its standard output and error and exit status, or why
/// not; `home`, when given, is its `$HOME`. Past `timeout` the command's whole process group is killed.
pub fn run_sh(
    script: &str,
    args: &[String],
    home: Option<&std::path::Path>,
    timeout: Duration,
) -> Result<(Vec<u8>, Vec<u8>, i32), String> {
    run_sh_input(script, args, home, None, timeout)
}

/// [`run_sh`] with `input` written to the command's standard input (then closed).
pub fn run_sh_input(
    script: &str,
    args: &[String],
    home: Option<&std::path::Path>,
    input: Option<&[u8]>,
    timeout: Duration,
) -> Result<(Vec<u8>, Vec<u8>, i32), String> {
    let mut command = Command::new("sh");
    command.arg("-c").arg(script);
    if !args.is_empty() {
        command.arg("sh").args(args);
    }
    if let Some(home) = home {
        command.env("HOME", home);
    }
    let mut child = command
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| e.to_string())?;
    // Each pipe is read to its end in a thread that hands the bytes over a channel: a command
    // that leaves a child holding the pipe open (`curl … &`) cannot keep us waiting past the
    // deadline.
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            let _ = tx.send(buf);
        });
        rx
    };
    if let (Some(bytes), Some(mut stdin)) = (input, child.stdin.take()) {
        // Written from a thread of its own: a command that reads nothing must not block us.
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            use std::io::Write;
            let _ = stdin.write_all(&bytes);
        });
    }
    let out = reader(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let err = reader(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() >= deadline {
            // SAFETY: kill(2) on the child's own process group (its pid, from process_group(0)).
            unsafe {
                libc::kill(-(child.id() as i32), libc::SIGKILL);
            }
            let _ = child.wait();
            return Err(format!("timed out after {} s, killed", timeout.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // What is read by the deadline (and a moment more, for a command that has just ended).
    let until = deadline.max(Instant::now() + Duration::from_millis(500));
    let collect = |rx: std::sync::mpsc::Receiver<Vec<u8>>| {
        rx.recv_timeout(until.saturating_duration_since(Instant::now())).unwrap_or_default()
    };
    let stdout = collect(out);
    let stderr = collect(err);
    Ok((stdout, stderr, status.code().unwrap_or(-1)))
}
