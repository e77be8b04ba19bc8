//! The terminal side of the console: raw mode and the alternate screen (restored on quit,
//! Ctrl-C, signals and panics, left and taken again around Ctrl-Z), the input thread, the clock, and the draw-when-dirty loop.

use std::io::{self, BufWriter, Stdout, Write};
use std::time::Duration;

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::ExecutableCommand;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use crate::app::App;
use crate::event::Event;
use crate::workers::Workers;

type Term = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

/// The shortest time between two frames drawn for worker data (log lines, history, notices);
/// keys draw at once.
const WORKER_FRAME: Duration = Duration::from_millis(200);
/// The same for the fleet's health samples alone. With 500 hosts they arrive about 50 times a
/// second, so frames came at the worker pace all the time, and the main thread (samples,
/// sorting, drawing) was a fifth of the console's CPU. Once a second is what a monitor needs
/// (htop's default is 1.5 s).
const SAMPLE_FRAME: Duration = Duration::from_millis(1000);

/// How soon `ev` needs its frame.
fn frame_for(ev: &Event) -> Duration {
    match ev {
        Event::Worker(crate::event::WorkerMsg::Health(_)) => SAMPLE_FRAME,
        _ => WORKER_FRAME,
    }
}

/// Puts the terminal back as it was. Safe to call more than once.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    let _ = out.execute(DisableBracketedPaste);
    let _ = out.execute(LeaveAlternateScreen);
    let _ = out.execute(Show);
    let _ = out.flush();
}

/// On a panic of the main thread, restore the terminal first so the message is readable, then
/// print it. Worker threads catch their own panics and report them in the status bar; printing
/// there would scribble over the screen, so the hook stays quiet for them.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("main") {
            restore_terminal();
            previous(info);
        }
    }));
}

fn setup_terminal() -> io::Result<Term> {
    install_panic_hook();
    enable_raw_mode()?;
    let mut out = io::stdout();
    out.execute(EnterAlternateScreen)?;
    out.execute(EnableBracketedPaste)?;
    // One write per frame: a slow link gets the changed cells in one burst, not many small ones.
    let backend = CrosstermBackend::new(BufWriter::with_capacity(64 * 1024, io::stdout()));
    let mut term = Terminal::new(backend)?;
    term.hide_cursor()?;
    repaint_all(&mut term)?;
    Ok(term)
}

/// Ctrl-Z, as htop and less do it: give the terminal back as it was, stop with SIGTSTP (the
/// shell prints its prompt; `fg` sends SIGCONT), then take the terminal again. The caller
/// repaints every cell, since the shell has drawn over the screen meanwhile.
fn suspend(term: &mut Term) -> io::Result<()> {
    ratatui::backend::Backend::flush(term.backend_mut())?;
    restore_terminal();
    // SAFETY: raise(3) takes no pointer and is async-signal-safe. SIGTSTP keeps its default
    // action (no handler is installed for it), which stops the whole process here; the call
    // returns once the shell continues it.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    enable_raw_mode()?;
    let mut out = io::stdout();
    out.execute(EnterAlternateScreen)?;
    out.execute(EnableBracketedPaste)?;
    term.hide_cursor()?;
    Ok(())
}

/// Clears the screen and makes the next draw send every cell. `Terminal::clear` would ask the
/// terminal for the cursor position first: a round trip that delays the first frame on a slow
/// link, and a two-second stall on terminals that never answer.
fn repaint_all(term: &mut Term) -> io::Result<()> {
    let size = term.size()?;
    term.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

/// The channel every source of events writes into.
pub fn channel() -> (UnboundedSender<Event>, UnboundedReceiver<Event>) {
    unbounded_channel()
}

/// Runs the console until the user quits. `start_workers` is called once the terminal is up,
/// with the sender for worker messages.
pub fn run(
    mut app: App,
    tx: UnboundedSender<Event>,
    mut rx: UnboundedReceiver<Event>,
    workers: Workers,
    launcher: Option<crate::shell::Launcher>,
) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().enable_io().build()?;
    let mut term = setup_terminal()?;
    let result = rt.block_on(async {
        let input = InputGate::new();
        spawn_input_thread(tx.clone(), std::sync::Arc::clone(&input));
        spawn_clock(tx.clone());
        spawn_signals(tx.clone());
        // The first frame goes out before any worker has answered.
        term.draw(|f| app.render(f))?;
        app.dirty = false;
        // Fault injection for the end-to-end test of the panic path.
        if std::env::var_os("YUNWEI_FAULT_PANIC").is_some() {
            panic!("injected fault (YUNWEI_FAULT_PANIC is set)");
        }
        // Keys draw at once; data from the workers is drawn at most every WORKER_FRAME, so a
        // fleet whose samples arrive one by one costs a few frames a round, not one per host.
        let mut last_draw = tokio::time::Instant::now();
        let mut urgent = false;
        let mut frame = SAMPLE_FRAME;
        loop {
            let ev = if app.dirty && !urgent {
                let due = last_draw + frame;
                tokio::select! {
                    ev = rx.recv() => ev,
                    _ = tokio::time::sleep_until(due) => None,
                }
            } else if app.dirty {
                None
            } else if let Some(wake) = app.next_wake() {
                tokio::select! {
                    ev = rx.recv() => ev,
                    _ = tokio::time::sleep_until(wake.into()) => {
                        app.on_wake();
                        urgent = true;
                        None
                    }
                }
            } else {
                match rx.recv().await {
                    Some(ev) => Some(ev),
                    None => break,
                }
            };
            if let Some(ev) = ev {
                urgent |= matches!(ev, Event::Terminal(_) | Event::Terminate);
                frame = frame.min(frame_for(&ev));
                app.on_event(ev);
                while let Ok(ev) = rx.try_recv() {
                    urgent |= matches!(ev, Event::Terminal(_) | Event::Terminate);
                    frame = frame.min(frame_for(&ev));
                    app.on_event(ev);
                }
            }
            // Events that changed nothing (a tick, a hidden pane's data) do not hurry the
            // next frame of the samples.
            if !app.dirty {
                frame = SAMPLE_FRAME;
            }
            for cmd in app.outbox.drain(..) {
                workers.dispatch(cmd);
            }
            if app.quit {
                break;
            }
            if app.suspend {
                app.suspend = false;
                suspend(&mut term)?;
                app.force_clear = true;
                urgent = true;
            }
            if let Some(req) = app.shell.take() {
                // Connecting takes a moment (a jump chain, a slow host): said first.
                let host = crate::text::escape_unprintable(&req.host).into_owned();
                let text = crate::i18n::tr(
                    app.ctx.lang,
                    format!("connecting to {host}…"),
                    format!("正在连接 {host}…"),
                );
                app.flash = Some(crate::ui::bars::Flash { text, error: false });
                term.draw(|f| app.render(f))?;
                let said = open_shell(&mut term, &input, launcher.as_ref(), &req, app.ctx.lang)?;
                app.flash = Some(said);
                app.force_clear = true;
                urgent = true;
            }
            if app.force_clear {
                repaint_all(&mut term)?;
                app.force_clear = false;
                app.dirty = true;
            }
            if app.dirty && (urgent || last_draw.elapsed() >= frame) {
                app.ctx.now = crate::clock::now();
                term.draw(|f| app.render(f))?;
                if app.duty.take_bell() {
                    // The terminal's bell, after the frame that shows why.
                    use std::io::Write;
                    let out = term.backend_mut();
                    out.write_all(b"\x07")?;
                    out.flush()?;
                }
                app.dirty = false;
                urgent = false;
                frame = SAMPLE_FRAME;
                last_draw = tokio::time::Instant::now();
            }
        }
        anyhow::Ok(())
    });
    restore_terminal();
    workers.stop();
    rt.shutdown_timeout(Duration::from_millis(100));
    result
}

/// Lets the main thread take standard input from the reader thread (for a shell) and give it
/// back.
struct InputGate {
    /// (paused, the reader is parked at the gate)
    state: std::sync::Mutex<(bool, bool)>,
    changed: std::sync::Condvar,
}

/// How long the reader waits for a key before it looks at the gate again.
const INPUT_POLL: Duration = Duration::from_millis(250);

impl InputGate {
    fn new() -> std::sync::Arc<InputGate> {
        std::sync::Arc::new(InputGate {
            state: std::sync::Mutex::new((false, false)),
            changed: std::sync::Condvar::new(),
        })
    }

    /// Stops the reader and waits until it no longer reads (at most one [`INPUT_POLL`]).
    fn pause(&self) {
        let mut s = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        s.0 = true;
        while !s.1 {
            let (next, timeout) = self
                .changed
                .wait_timeout(s, INPUT_POLL * 4)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            s = next;
            if timeout.timed_out() {
                break;
            }
        }
    }

    fn resume(&self) {
        let mut s = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        s.0 = false;
        self.changed.notify_all();
    }

    /// The reader's side: parks while paused.
    fn pass(&self) {
        let mut s = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while s.0 {
            s.1 = true;
            self.changed.notify_all();
            s = self.changed.wait(s).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        s.1 = false;
    }
}

/// crossterm's reader on its own thread, looking at the gate between keys; it ends with the
/// process.
fn spawn_input_thread(tx: UnboundedSender<Event>, gate: std::sync::Arc<InputGate>) {
    std::thread::spawn(move || loop {
        gate.pass();
        let ready = match crossterm::event::poll(INPUT_POLL) {
            Ok(ready) => ready,
            Err(_) => {
                let _ = tx.send(Event::Terminate);
                return;
            }
        };
        if !ready {
            continue;
        }
        match crossterm::event::read() {
            Ok(ev) => {
                if tx.send(Event::Terminal(ev)).is_err() {
                    return;
                }
            }
            Err(_) => {
                let _ = tx.send(Event::Terminate);
                return;
            }
        }
    });
}

/// `S`: leaves the console's screen for a shell on the host (the host key decided first, on
/// the console's screen), then takes the screen back as it was. What to say in the status
/// bar comes back.
fn open_shell(
    term: &mut Term,
    gate: &InputGate,
    launcher: Option<&crate::shell::Launcher>,
    req: &crate::shell::Request,
    lang: crate::i18n::Lang,
) -> io::Result<crate::ui::bars::Flash> {
    use crate::ui::bars::Flash;
    let Some(launcher) = launcher else {
        let text = crate::i18n::tr(lang, "no shell here", "这里不能打开 shell");
        return Ok(Flash { text, error: true });
    };
    // Keys typed from here are the shell's: none may reach the console's hotkeys.
    gate.pause();
    // Connecting (and deciding the host key) happens with the console still on screen.
    let prepared = match launcher.prepare(req) {
        Ok(p) => p,
        Err(e) => {
            crate::shell::discard_typeahead();
            gate.resume();
            return Ok(Flash { text: e.text.get(lang).to_string(), error: true });
        }
    };
    ratatui::backend::Backend::flush(term.backend_mut())?;
    {
        let mut out = io::stdout();
        out.execute(DisableBracketedPaste)?;
        out.execute(LeaveAlternateScreen)?;
        out.execute(Show)?;
    }
    // Raw mode stays on: every key, Ctrl-C included, is the shell's.
    let outcome = launcher.run(req, prepared, true);
    {
        let mut out = io::stdout();
        out.write_all(crate::shell::TERMINAL_RESET.as_bytes())?;
        out.flush()?;
    }
    crate::shell::discard_typeahead();
    let flash = match &outcome {
        Ok(o) => {
            crate::shell::say_line(lang, &o.summary());
            let mut text = o
                .summary()
                .get(lang)
                .trim_start_matches("yunwei: ")
                .trim_start_matches("yunwei：")
                .to_string();
            for note in &o.notes {
                text.push_str("; ");
                text.push_str(note.get(lang));
            }
            Flash { text, error: !o.notes.is_empty() }
        }
        Err(e) => Flash { text: e.text.get(lang).to_string(), error: true },
    };
    enable_raw_mode()?;
    let mut out = io::stdout();
    out.execute(EnterAlternateScreen)?;
    out.execute(EnableBracketedPaste)?;
    term.hide_cursor()?;
    gate.resume();
    Ok(flash)
}

/// Wakes the loop when the wall-clock minute changes, for the status-bar clock: no busy ticks.
fn spawn_clock(tx: UnboundedSender<Event>) {
    tokio::spawn(async move {
        loop {
            let now = chrono::Local::now();
            let into_minute = chrono::Timelike::second(&now) as u64 * 1000
                + u64::from(chrono::Timelike::nanosecond(&now) / 1_000_000).min(999);
            tokio::time::sleep(Duration::from_millis(60_000 - into_minute + 5)).await;
            if tx.send(Event::Tick).is_err() {
                return;
            }
        }
    });
}

fn spawn_signals(tx: UnboundedSender<Event>) {
    use tokio::signal::unix::{signal, SignalKind};
    for kind in [SignalKind::terminate(), SignalKind::hangup(), SignalKind::interrupt()] {
        let tx = tx.clone();
        if let Ok(mut s) = signal(kind) {
            tokio::spawn(async move {
                if s.recv().await.is_some() {
                    let _ = tx.send(Event::Terminate);
                }
            });
        }
    }
}
