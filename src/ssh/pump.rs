//! One session to a jump host carries the connections to every target behind it: each target
//! gets a `direct-tcpip` channel, bridged to one end of a `UnixStream::pair()` whose other end
//! becomes the target session's transport.
//!
//! libssh2 sessions are not safe for concurrent blocking use (a blocking read on one channel
//! holds the session lock and starves the others), so one pump thread per jump-host session owns
//! it in non-blocking mode and multiplexes all its channels with epoll, through bounded buffers.
//! The bridges' local ends are watched edge-triggered: a wake-up costs a system call per end
//! that changed, not per bridge (with 250 targets behind one bastion, a poll() over every end
//! on every wake-up was most of the console's CPU).
//! Channel opens are requested over an mpsc channel and answered when the jump host replies, so a
//! slow target delays only its own connect. A closed side of a bridge closes the other.
//!
//! libssh2 keeps one channel open in flight per session, so opens through one session queue up.
//! Measured with 100 targets behind one bastion polled at once (`benches/fleet.sh`), each open
//! took ~30 ms (up to ~400 ms) while the other targets' handshakes loaded the machine, so the
//! last request of the queue waited ~4.7 s before its open was even sent. The connect timeout
//! therefore counts from the moment an open is sent (it bounds the jump host's answer, not our
//! queue); the wait in the queue has a bound of its own ([`QUEUE_FACTOR`] × the timeout), and
//! the pool spreads the targets over more than one session when one is saturated (see `pool`).

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use ssh2::{BlockDirections, Channel, ExtendedData, Session};

use super::connect::{is_transport_failure, session_code, Established, LIBSSH2_ERROR_EAGAIN};

/// Per direction and channel: bounds memory when one side is slower than the other.
const BUFFER_CAP: usize = 64 * 1024;
const CHUNK: usize = 16 * 1024;
/// How long a finished channel may take to close before it is dropped regardless.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// An open request may wait in the queue this many connect timeouts before it gives up, even
/// when every open ahead of it is answered in time (a jump host that answers but slowly).
pub(crate) const QUEUE_FACTOR: u32 = 4;

/// Why a channel could not be opened through the jump host.
#[derive(Debug, Clone)]
pub(crate) enum OpenError {
    /// The jump host answered: it could not connect (refused, unreachable, unknown name …).
    Failed(String),
    /// No answer in time, counted from when the open was sent.
    Timeout,
    /// The open was never sent: the opens queued ahead of it took the whole queue bound.
    Busy,
    /// The open was never sent: the session stopped taking targets (an open hung on it); the
    /// request may go to another session.
    Retired,
    /// The session to the jump host is gone.
    Dead(String),
}

struct OpenRequest {
    host: String,
    port: u16,
    /// Bounds the jump host's answer, from the moment the open is sent.
    timeout: Duration,
    /// Set when the open is sent: `sent + timeout`.
    deadline: Option<Instant>,
    /// The latest moment the open may still be sent.
    queue_deadline: Instant,
    reply: mpsc::SyncSender<Result<UnixStream, OpenError>>,
}

impl OpenRequest {
    /// When the pump must look at this request again at the latest.
    fn next_deadline(&self) -> Instant {
        self.deadline.unwrap_or(self.queue_deadline)
    }
}

#[derive(Default)]
struct Shared {
    dead: AtomicBool,
    /// No new channels: an open hung on it, so it may be frozen (see `Pump::drive_opens`).
    retired: AtomicBool,
    reason: Mutex<String>,
    /// Targets between `Bastion::reserve` and the answer to their open: how busy the session
    /// is, for the pool's choice among several.
    pending: AtomicUsize,
}

/// The handle the pool keeps for a jump-host session; dropping every handle ends the pump once
/// its channels have closed.
pub(crate) struct Bastion {
    name: String,
    requests: mpsc::Sender<OpenRequest>,
    waker: UnixStream,
    shared: Arc<Shared>,
}

impl Bastion {
    /// Starts the pump thread for an established session. `is_tcp` asks for TCP_QUICKACK on
    /// its socket (a hop reached through another jump host runs over a Unix socket).
    pub(crate) fn start(established: Established, is_tcp: bool, name: &str) -> io::Result<Arc<Bastion>> {
        let (wake_ours, wake_theirs) = UnixStream::pair()?;
        wake_ours.set_nonblocking(true)?;
        wake_theirs.set_nonblocking(true)?;
        let (sender, receiver) = mpsc::channel();
        let shared = Arc::new(Shared::default());
        established.session.set_blocking(false);
        let epoll = Epoll::new()?;
        epoll.ctl(libc::EPOLL_CTL_ADD, wake_theirs.as_raw_fd(), libc::EPOLLIN as u32, WAKE_TOKEN)?;
        let mut pump = Pump {
            epoll,
            session_watch: 0,
            session: established.session,
            fd: established.fd,
            is_tcp,
            requests: receiver,
            requests_open: true,
            wake: wake_theirs,
            wake_open: true,
            wake_watched: true,
            queue: VecDeque::new(),
            open_in_progress: false,
            bridges: Vec::new(),
            closing: Vec::new(),
            owner: None,
            shared: Arc::clone(&shared),
            next_id: 0,
            session_readable: true,
            drained: false,
            maybe_buffered: false,
            _proxy: established.proxy,
        };
        thread::Builder::new().name(format!("yunwei-jump-{name}")).spawn(move || pump.run())?;
        Ok(Arc::new(Bastion { name: name.to_string(), requests: sender, waker: wake_ours, shared }))
    }

    /// Whether new targets may use this session.
    pub(crate) fn is_usable(&self) -> bool {
        !self.shared.dead.load(Ordering::Acquire) && !self.shared.retired.load(Ordering::Acquire)
    }

    fn dead_reason(&self) -> String {
        let reason = self.shared.reason.lock().map(|r| r.clone()).unwrap_or_default();
        if reason.is_empty() {
            format!("the session to jump host {} has ended", self.name)
        } else {
            reason
        }
    }

    /// Opens, queued or in flight, of the targets that reserved this session.
    pub(crate) fn pending(&self) -> usize {
        self.shared.pending.load(Ordering::Acquire)
    }

    /// Counts a target in [`Bastion::pending`] until the returned reservation is used or
    /// dropped. The pool reserves under its lock, so that many threads choosing a session at
    /// once see each other's choices.
    pub(crate) fn reserve(self: &Arc<Self>) -> Reservation {
        self.shared.pending.fetch_add(1, Ordering::AcqRel);
        Reservation { bastion: Arc::clone(self) }
    }

    /// Opens a `direct-tcpip` channel to `host:port` (resolved by the jump host) and returns the
    /// local end of its bridge. `timeout` bounds the jump host's answer once the open is sent;
    /// the wait before (other targets' opens ahead) is bounded by `QUEUE_FACTOR × timeout`.
    fn open(&self, host: &str, port: u16, timeout: Duration) -> Result<UnixStream, OpenError> {
        if self.shared.dead.load(Ordering::Acquire) {
            return Err(OpenError::Dead(self.dead_reason()));
        }
        let (reply, answer) = mpsc::sync_channel(1);
        let queue_limit = timeout.saturating_mul(QUEUE_FACTOR);
        let request = OpenRequest {
            host: host.to_string(),
            port,
            timeout,
            deadline: None,
            queue_deadline: Instant::now() + queue_limit,
            reply,
        };
        if self.requests.send(request).is_err() {
            return Err(OpenError::Dead(self.dead_reason()));
        }
        // A full wake pipe already holds a pending wake-up.
        let _ = (&self.waker).write(&[1]);
        // The pump answers every request by its deadlines; this only guards against a pump
        // that stopped answering altogether.
        match answer.recv_timeout(queue_limit + timeout + Duration::from_secs(1)) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(OpenError::Timeout),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(OpenError::Dead(self.dead_reason())),
        }
    }
}

/// A target's place in a session's count of pending opens (see [`Bastion::reserve`]).
pub(crate) struct Reservation {
    bastion: Arc<Bastion>,
}

impl Reservation {
    pub(crate) fn bastion(&self) -> &Arc<Bastion> {
        &self.bastion
    }

    /// See [`Bastion::open`]; the target stops counting as pending once answered.
    pub(crate) fn open(self, host: &str, port: u16, timeout: Duration) -> Result<UnixStream, OpenError> {
        self.bastion.open(host, port, timeout)
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.bastion.shared.pending.fetch_sub(1, Ordering::AcqRel);
    }
}

/// poll(2) over `fds`; EINTR counts as "nothing ready".
pub(crate) fn poll_fds(fds: &mut [libc::pollfd], timeout: Duration) -> io::Result<usize> {
    let millis = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: `fds` is a valid, exclusively borrowed slice of pollfd for the call's duration.
    let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, millis) };
    if ready < 0 {
        let err = io::Error::last_os_error();
        return if err.kind() == io::ErrorKind::Interrupted { Ok(0) } else { Err(err) };
    }
    Ok(ready as usize)
}

/// epoll's token for the session's socket and for the wake-up socket; a bridge's is its id
/// plus [`FIRST_BRIDGE_TOKEN`].
const SESSION_TOKEN: u64 = 0;
const WAKE_TOKEN: u64 = 1;
const FIRST_BRIDGE_TOKEN: u64 = 2;
/// What a bridge's local end is watched for: edges only, so an end that stays readable or
/// writable costs nothing until it changes.
const BRIDGE_EVENTS: u32 = (libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLET) as u32;
/// Events taken per wait at most (more stay queued for the next).
const EVENTS_PER_WAIT: usize = 256;

/// An epoll instance and the buffer its events are read into.
struct Epoll {
    fd: OwnedFd,
    events: Vec<libc::epoll_event>,
}

impl Epoll {
    fn new() -> io::Result<Epoll> {
        // SAFETY: epoll_create1 takes no pointers; a non-negative result is a new descriptor
        // that only this OwnedFd owns.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just returned by epoll_create1 and is owned by nothing else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(Epoll { fd, events: vec![libc::epoll_event { events: 0, u64: 0 }; EVENTS_PER_WAIT] })
    }

    fn ctl(&self, op: libc::c_int, fd: RawFd, events: u32, token: u64) -> io::Result<()> {
        let mut event = libc::epoll_event { events, u64: token };
        // SAFETY: `event` is a valid epoll_event for the call's duration; the kernel copies it.
        let done = unsafe { libc::epoll_ctl(self.fd.as_raw_fd(), op, fd, &mut event) };
        if done < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Waits for at most `timeout`; the (token, events) that came, none on EINTR.
    fn wait(&mut self, timeout: Duration) -> io::Result<impl Iterator<Item = (u64, u32)> + '_> {
        // Rounded up, so a deadline a few microseconds away does not spin through zero waits.
        let millis = timeout.as_micros().div_ceil(1000);
        let millis = libc::c_int::try_from(millis).unwrap_or(libc::c_int::MAX);
        // SAFETY: the buffer holds `len` epoll_events, exclusively borrowed for the call.
        let ready = unsafe {
            libc::epoll_wait(
                self.fd.as_raw_fd(),
                self.events.as_mut_ptr(),
                self.events.len() as libc::c_int,
                millis,
            )
        };
        let ready = if ready < 0 {
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(err);
            }
            0
        } else {
            ready as usize
        };
        Ok(self.events[..ready].iter().map(|event| {
            let event = *event;
            (event.u64, event.events)
        }))
    }
}

/// An emptied buffer gives back what a burst made it grow to: with hundreds of targets behind
/// one jump host, buffers that each kept the capacity of their largest burst (up to
/// `BUFFER_CAP` per direction) held tens of MiB between polls.
fn release_if_empty(buffer: &mut Vec<u8>) {
    if buffer.is_empty() && buffer.capacity() > CHUNK {
        *buffer = Vec::new();
    }
}

/// Delayed ACKs make every request/response exchange through the jump host wait ~40 ms; the
/// kernel clears QUICKACK again after a while, hence setting it on every pass.
fn set_quickack(fd: RawFd) {
    let on: libc::c_int = 1;
    // SAFETY: setsockopt reads `on` (a c_int of the size given) and does not keep the pointer.
    unsafe {
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_QUICKACK,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

/// The libssh2 operation that left a packet half-sent. libssh2 lets only the same call finish
/// it (any other send fails with LIBSSH2_ERROR_BAD_USE), so it is resumed before anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Open,
    Read(u64),
    Write(u64),
    SendEof(u64),
    Close(u64),
}

struct Bridge {
    id: u64,
    channel: Channel,
    local: UnixStream,
    to_local: Vec<u8>,
    to_remote: Vec<u8>,
    remote_eof: bool,
    local_eof: bool,
    eof_sent: bool,
    local_shut: bool,
    failed: bool,
    /// What the last poll() said of the local end (true until a read or write would block):
    /// only ready ends are read or written, so a pass costs no system call per idle bridge.
    local_readable: bool,
    local_writable: bool,
    /// The local end hung up (epoll said so once, edge-triggered): finished once its last
    /// bytes are read.
    local_hup: bool,
    /// Watched for writability too: only while `to_local` waits for room, as the edge of every
    /// read the target session makes would otherwise wake the pump.
    watching_out: bool,
}

impl Bridge {
    fn wants_remote_input(&self) -> bool {
        !self.failed && !self.remote_eof && self.to_local.len() < BUFFER_CAP
    }

    fn finished(&self) -> bool {
        self.failed || (self.local_shut && self.eof_sent)
    }
}

enum Op {
    Done(bool),
    /// EAGAIN with a half-sent packet: stop the pass, resume this operation first.
    OutboundBlocked,
    SessionDead(String),
}

struct Pump {
    epoll: Epoll,
    /// The events the session's socket is registered for (0: not registered).
    session_watch: u32,
    session: Session,
    fd: RawFd,
    is_tcp: bool,
    requests: mpsc::Receiver<OpenRequest>,
    requests_open: bool,
    wake: UnixStream,
    wake_open: bool,
    /// The wake-up socket is registered with epoll.
    wake_watched: bool,
    queue: VecDeque<(OpenRequest, bool)>,
    open_in_progress: bool,
    bridges: Vec<Bridge>,
    closing: Vec<(u64, Channel, Instant)>,
    owner: Option<Owner>,
    shared: Arc<Shared>,
    next_id: u64,
    /// The session's socket may hold data libssh2 has not read yet (poll() said so, or no
    /// poll() has happened since the last drain).
    session_readable: bool,
    /// This pass already read the session's socket dry: one channel read takes every packet
    /// off it (libssh2 reads all pending packets first), so the other channels are read only
    /// when a packet of theirs is queued. With a few hundred targets behind one jump host,
    /// reading every channel on every pass cost a system call per target per packet.
    drained: bool,
    /// An open or a close that got its answer stops reading there: packets that came in the
    /// same read stay in libssh2's buffer, seen neither by poll() nor as queued for their
    /// channel. The next pass then reads once whatever poll() says.
    maybe_buffered: bool,
    /// The ProxyCommand carrying the session, ended with the pump.
    _proxy: Option<super::proxy::ProxyChild>,
}

impl Pump {
    fn run(&mut self) {
        let reason = loop {
            if self.is_tcp {
                set_quickack(self.fd);
            }
            self.take_requests();
            if !self.requests_open
                && self.bridges.is_empty()
                && self.queue.is_empty()
                && self.closing.is_empty()
            {
                break String::new();
            }
            let progress = match self.pass() {
                Ok(progress) => progress,
                Err(reason) => break reason,
            };
            let stranded = self.maybe_buffered
                && self.owner.is_none()
                && self.bridges.iter().any(Bridge::wants_remote_input);
            if progress || stranded || self.data_pending() {
                // Busy: what poll() would say of the other ends is read without waiting, so a
                // target's request is not left unread while other bridges keep the pump going.
                if let Err(err) = self.wait(Duration::ZERO) {
                    break format!("poll failed: {err}");
                }
                continue;
            }
            if let Err(err) = self.wait(Duration::from_secs(30)) {
                break format!("poll failed: {err}");
            }
        };
        if !reason.is_empty() {
            if let Ok(mut shared_reason) = self.shared.reason.lock() {
                *shared_reason = reason.clone();
            }
        }
        self.shared.dead.store(true, Ordering::Release);
        for (request, answered) in self.queue.drain(..) {
            if !answered {
                let _ = request.reply.send(Err(OpenError::Dead(reason.clone())));
            }
        }
        // Dropping the bridges closes their local ends: the target sessions see end-of-file.
        // The socket goes first, so that libssh2 frees the channels and the session rather
        // than wait for goodbyes (see `SshConn`'s drop).
        super::connect::shut_down(self.fd);
        self.bridges.clear();
        self.closing.clear();
    }

    /// No new targets on this session; those queued behind the hung open go elsewhere.
    fn retire(&mut self) {
        self.shared.retired.store(true, Ordering::Release);
        for (request, answered) in self.queue.iter_mut().skip(1) {
            if !*answered {
                let _ = request.reply.send(Err(OpenError::Retired));
                *answered = true;
            }
        }
    }

    fn take_requests(&mut self) {
        let mut byte = [0u8; 64];
        while self.wake_open {
            match (&self.wake).read(&mut byte) {
                Ok(0) => self.wake_open = false,
                Ok(_) => {}
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        loop {
            match self.requests.try_recv() {
                Ok(request) if self.shared.retired.load(Ordering::Acquire) => {
                    let _ = request.reply.send(Err(OpenError::Retired));
                }
                Ok(request) => self.queue.push_back((request, false)),
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.requests_open = false;
                    break;
                }
            }
        }
    }

    /// One round over everything; true when anything moved.
    fn pass(&mut self) -> Result<bool, String> {
        self.drained = !self.session_readable;
        let mut progress = self.local_io();
        if let Some(owner) = self.owner.take() {
            match self.run_op(owner, true)? {
                Some(moved) => progress |= moved,
                None => return Ok(progress),
            }
        }
        // By index: opens may add bridges, and nothing removes one before `reap`.
        let mut blocked = false;
        match self.run_op(Owner::Open, false)? {
            Some(moved) => progress |= moved,
            None => blocked = true,
        }
        let mut index = 0;
        'bridges: while !blocked && index < self.bridges.len() {
            let id = self.bridges[index].id;
            for op in [Owner::Write(id), Owner::SendEof(id), Owner::Read(id)] {
                match self.run_op(op, false)? {
                    Some(moved) => progress |= moved,
                    None => {
                        blocked = true;
                        break 'bridges;
                    }
                }
            }
            index += 1;
        }
        if !blocked && !self.closing.is_empty() {
            let closing: Vec<u64> = self.closing.iter().map(|(id, _, _)| *id).collect();
            for id in closing {
                match self.run_op(Owner::Close(id), false)? {
                    Some(moved) => progress |= moved,
                    None => break,
                }
            }
        }
        progress |= self.local_io();
        self.reap();
        Ok(progress)
    }

    /// Runs one libssh2 operation: Ok(Some(progress)), Ok(None) when it left a packet half-sent,
    /// Err when the session died.
    /// `resume`: the operation left a packet half-sent last pass and must run whatever the
    /// state of its bridge.
    fn run_op(&mut self, op: Owner, resume: bool) -> Result<Option<bool>, String> {
        let outcome = match op {
            Owner::Open => {
                let outcome = self.drive_opens();
                // An open that got its answer may leave packets in libssh2's buffer.
                self.maybe_buffered |= matches!(outcome, Op::Done(true));
                outcome
            }
            Owner::Read(id) => {
                let drained = self.drained && !self.maybe_buffered;
                let queued = |b: &Bridge| b.channel.read_window().available > 0 || b.channel.eof();
                match self.bridges.iter().find(|b| b.id == id) {
                    Some(b) if !resume && (!b.wants_remote_input() || (drained && !queued(b))) => {
                        Op::Done(false)
                    }
                    _ => {
                        // libssh2 takes every packet off the socket and out of its own
                        // buffer before it looks for this channel's.
                        self.drained = true;
                        self.session_readable = false;
                        self.maybe_buffered = false;
                        self.with_bridge(id, resume, Self::channel_read)
                    }
                }
            }
            Owner::Write(id) => self.with_bridge(id, resume, Self::channel_write),
            Owner::SendEof(id) => self.with_bridge(id, resume, Self::channel_send_eof),
            Owner::Close(id) => {
                let outcome = self.close_channel(id);
                self.maybe_buffered |= matches!(outcome, Op::Done(true));
                outcome
            }
        };
        match outcome {
            Op::Done(moved) => Ok(Some(moved)),
            Op::OutboundBlocked => {
                self.owner = Some(op);
                Ok(None)
            }
            Op::SessionDead(reason) => Err(reason),
        }
    }

    fn with_bridge(&mut self, id: u64, resume: bool, step: fn(&Session, &mut Bridge, bool) -> Op) -> Op {
        match self.bridges.iter_mut().find(|b| b.id == id) {
            Some(bridge) => step(&self.session, bridge, resume),
            None => Op::Done(false),
        }
    }

    /// What an EAGAIN means here: a half-sent packet must be resumed first.
    fn would_block(session: &Session) -> Op {
        match session.block_directions() {
            BlockDirections::Outbound | BlockDirections::Both => Op::OutboundBlocked,
            _ => Op::Done(false),
        }
    }

    /// After a failed channel call: did the session die, or only this channel?
    fn channel_failure(
        session: &Session,
        bridge: &mut Bridge,
        what: &str,
        err: &dyn std::fmt::Display,
    ) -> Op {
        let last = ssh2::Error::last_session_error(session);
        if let Some(last) = last {
            if is_transport_failure(session_code(&last)) {
                return Op::SessionDead(format!("connection lost ({})", last.message()));
            }
        }
        // Only this channel failed (e.g. closed by the far end): `what` and `err` matter no more.
        let _ = (what, err);
        bridge.failed = true;
        Op::Done(true)
    }

    fn channel_read(session: &Session, bridge: &mut Bridge, resume: bool) -> Op {
        if !resume && !bridge.wants_remote_input() {
            return Op::Done(false);
        }
        let room = BUFFER_CAP.saturating_sub(bridge.to_local.len()).clamp(1, CHUNK);
        let mut chunk = [0u8; CHUNK];
        match bridge.channel.read(&mut chunk[..room]) {
            Ok(0) => {
                bridge.remote_eof = true;
                Op::Done(true)
            }
            Ok(n) => {
                bridge.to_local.extend_from_slice(&chunk[..n]);
                bridge.local_writable = true;
                Op::Done(true)
            }
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => Self::would_block(session),
            Err(err) => Self::channel_failure(session, bridge, "read", &err),
        }
    }

    fn channel_write(session: &Session, bridge: &mut Bridge, resume: bool) -> Op {
        if (bridge.failed && !resume) || bridge.to_remote.is_empty() {
            return Op::Done(false);
        }
        match bridge.channel.write(&bridge.to_remote) {
            Ok(n) => {
                bridge.to_remote.drain(..n);
                release_if_empty(&mut bridge.to_remote);
                // Room again for what the target session sends.
                bridge.local_readable = true;
                Op::Done(n > 0)
            }
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => Self::would_block(session),
            Err(err) => Self::channel_failure(session, bridge, "write", &err),
        }
    }

    fn channel_send_eof(session: &Session, bridge: &mut Bridge, resume: bool) -> Op {
        if !resume && (bridge.failed || bridge.eof_sent || !bridge.local_eof || !bridge.to_remote.is_empty())
        {
            return Op::Done(false);
        }
        match bridge.channel.send_eof() {
            Ok(()) => {
                bridge.eof_sent = true;
                Op::Done(true)
            }
            Err(err) if session_code(&err) == LIBSSH2_ERROR_EAGAIN => Self::would_block(session),
            Err(err) => Self::channel_failure(session, bridge, "send EOF", &err),
        }
    }

    /// Unix-socket side of every bridge (no libssh2): fill `to_remote`, drain `to_local`.
    fn local_io(&mut self) -> bool {
        let mut progress = false;
        for bridge in self.bridges.iter_mut().filter(|b| !b.failed) {
            while bridge.local_writable && !bridge.to_local.is_empty() {
                match bridge.local.write(&bridge.to_local) {
                    Ok(n) => {
                        bridge.to_local.drain(..n);
                        release_if_empty(&mut bridge.to_local);
                        progress = true;
                    }
                    Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                        bridge.local_writable = false;
                        // Registered again now: epoll reports the end at once if room came
                        // meanwhile, so no edge is missed.
                        if !bridge.watching_out {
                            let events = BRIDGE_EVENTS | libc::EPOLLOUT as u32;
                            let token = bridge.id + FIRST_BRIDGE_TOKEN;
                            match self.epoll.ctl(libc::EPOLL_CTL_MOD, bridge.local.as_raw_fd(), events, token)
                            {
                                Ok(()) => bridge.watching_out = true,
                                Err(_) => bridge.failed = true,
                            }
                        }
                        break;
                    }
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => {
                        // The target session is gone: nothing more to carry either way.
                        bridge.failed = true;
                        break;
                    }
                }
            }
            if bridge.failed {
                progress = true;
                continue;
            }
            if bridge.watching_out && bridge.to_local.is_empty() {
                let token = bridge.id + FIRST_BRIDGE_TOKEN;
                match self.epoll.ctl(libc::EPOLL_CTL_MOD, bridge.local.as_raw_fd(), BRIDGE_EVENTS, token) {
                    Ok(()) => bridge.watching_out = false,
                    Err(_) => bridge.failed = true,
                }
            }
            if bridge.remote_eof && bridge.to_local.is_empty() && !bridge.local_shut {
                let _ = bridge.local.shutdown(Shutdown::Write);
                bridge.local_shut = true;
                progress = true;
            }
            while bridge.local_readable && !bridge.local_eof && bridge.to_remote.len() < BUFFER_CAP {
                let room = (BUFFER_CAP - bridge.to_remote.len()).min(CHUNK);
                let mut chunk = [0u8; CHUNK];
                match bridge.local.read(&mut chunk[..room]) {
                    Ok(0) => {
                        bridge.local_eof = true;
                        // A target session that closed its end entirely is finished.
                        if bridge.local_hup {
                            bridge.failed = true;
                        }
                        progress = true;
                    }
                    Ok(n) => {
                        bridge.to_remote.extend_from_slice(&chunk[..n]);
                        progress = true;
                    }
                    Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                        bridge.local_readable = false;
                        break;
                    }
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => {
                        bridge.failed = true;
                        progress = true;
                        break;
                    }
                }
            }
        }
        progress
    }

    /// Finished bridges move to `closing`; their channel is closed politely for a few seconds.
    fn reap(&mut self) {
        let owner = self.owner;
        let mut index = 0;
        while index < self.bridges.len() {
            let bridge = &self.bridges[index];
            let owns_transport = matches!(owner, Some(Owner::Read(id) | Owner::Write(id) | Owner::SendEof(id)) if id == bridge.id);
            if bridge.finished() && !owns_transport {
                let bridge = self.bridges.swap_remove(index);
                self.closing.push((bridge.id, bridge.channel, Instant::now() + CLOSE_GRACE));
            } else {
                index += 1;
            }
        }
    }

    fn close_channel(&mut self, id: u64) -> Op {
        let Some(index) = self.closing.iter().position(|(cid, _, _)| *cid == id) else {
            return Op::Done(false);
        };
        let (_, channel, deadline) = &mut self.closing[index];
        let result = channel.close();
        let expired = Instant::now() >= *deadline;
        match result {
            Err(err) if session_code(&err) == LIBSSH2_ERROR_EAGAIN && !expired => {
                Self::would_block(&self.session)
            }
            _ => {
                self.closing.swap_remove(index);
                Op::Done(true)
            }
        }
    }

    /// Opens are serialised (libssh2 keeps one open in flight per session). Each one's timeout
    /// starts when it is sent. An open the jump host does not answer in time is reported as a
    /// timeout to its requester but still driven to its end (its channel then closed), and the
    /// session is retired from new targets: a jump host that stopped answering must not swallow
    /// every later connect. The requests still queued behind it are sent back unsent
    /// (`Retired`), for the pool to try them on another session.
    fn drive_opens(&mut self) -> Op {
        let mut progress = false;
        while let Some((request, answered)) = self.queue.front_mut() {
            let now = Instant::now();
            if !self.open_in_progress {
                let unsent = if *answered {
                    None
                } else if self.shared.retired.load(Ordering::Acquire) {
                    Some(OpenError::Retired)
                } else if now >= request.queue_deadline {
                    Some(OpenError::Busy)
                } else {
                    None
                };
                if *answered || unsent.is_some() {
                    if let Some(err) = unsent {
                        let _ = request.reply.send(Err(err));
                    }
                    self.queue.pop_front();
                    progress = true;
                    continue;
                }
            }
            let deadline = *request.deadline.get_or_insert(now + request.timeout);
            match self.session.channel_direct_tcpip(&request.host, request.port, None) {
                Ok(mut channel) => {
                    self.open_in_progress = false;
                    progress = true;
                    let (request, answered) = match self.queue.pop_front() {
                        Some(entry) => entry,
                        None => break,
                    };
                    let id = self.next_id;
                    self.next_id += 1;
                    if answered {
                        self.closing.push((id, channel, Instant::now() + CLOSE_GRACE));
                        continue;
                    }
                    // Best effort: a tcpip channel carries no stderr, and queued extended data
                    // would never be read.
                    let _ = channel.handle_extended_data(ExtendedData::Ignore);
                    let pair = UnixStream::pair().and_then(|(ours, theirs)| {
                        ours.set_nonblocking(true)?;
                        Ok((ours, theirs))
                    });
                    let token = id + FIRST_BRIDGE_TOKEN;
                    let pair = pair.and_then(|(ours, theirs)| {
                        self.epoll.ctl(libc::EPOLL_CTL_ADD, ours.as_raw_fd(), BRIDGE_EVENTS, token)?;
                        Ok((ours, theirs))
                    });
                    match pair {
                        Ok((ours, theirs)) => {
                            if request.reply.send(Ok(theirs)).is_ok() {
                                self.bridges.push(Bridge {
                                    id,
                                    channel,
                                    local: ours,
                                    to_local: Vec::new(),
                                    to_remote: Vec::new(),
                                    remote_eof: false,
                                    local_eof: false,
                                    eof_sent: false,
                                    local_shut: false,
                                    failed: false,
                                    local_readable: true,
                                    local_writable: true,
                                    local_hup: false,
                                    watching_out: false,
                                });
                            } else {
                                self.closing.push((id, channel, Instant::now() + CLOSE_GRACE));
                            }
                        }
                        Err(err) => {
                            let _ = request
                                .reply
                                .send(Err(OpenError::Failed(format!("cannot create a socket pair: {err}"))));
                            self.closing.push((id, channel, Instant::now() + CLOSE_GRACE));
                        }
                    }
                }
                Err(err) if session_code(&err) == LIBSSH2_ERROR_EAGAIN => {
                    self.open_in_progress = true;
                    if !*answered && now >= deadline {
                        let _ = request.reply.send(Err(OpenError::Timeout));
                        *answered = true;
                        self.retire();
                    }
                    return match Self::would_block(&self.session) {
                        Op::Done(moved) => Op::Done(moved || progress),
                        other => other,
                    };
                }
                Err(err) => {
                    self.open_in_progress = false;
                    progress = true;
                    // A jump host that went away while idle shows up here: its requester hears
                    // "dead" (and the pool connects a fresh session), not "refused".
                    let dead = is_transport_failure(session_code(&err));
                    let reason = format!("connection lost ({})", err.message());
                    if let Some((request, answered)) = self.queue.pop_front() {
                        if !answered {
                            let error = if dead {
                                OpenError::Dead(reason.clone())
                            } else {
                                OpenError::Failed(err.message().to_string())
                            };
                            let _ = request.reply.send(Err(error));
                        }
                    }
                    if dead {
                        return Op::SessionDead(reason);
                    }
                }
            }
        }
        Op::Done(progress)
    }

    /// Data libssh2 already took off the socket (while serving another channel) that poll()
    /// cannot see.
    fn data_pending(&self) -> bool {
        self.bridges
            .iter()
            .any(|b| b.wants_remote_input() && (b.channel.read_window().available > 0 || b.channel.eof()))
    }

    /// Waits (epoll) for whatever the pump waits for, for at most `longest`.
    fn wait(&mut self, longest: Duration) -> io::Result<()> {
        let mut session_events = 0;
        if self.owner.is_some() {
            session_events = match self.session.block_directions() {
                BlockDirections::Inbound => libc::EPOLLIN,
                BlockDirections::Outbound => libc::EPOLLOUT,
                _ => libc::EPOLLIN | libc::EPOLLOUT,
            };
        } else {
            let wants_input = !self.queue.is_empty()
                || !self.closing.is_empty()
                || self.bridges.iter().any(|b| b.wants_remote_input() || !b.to_remote.is_empty());
            if wants_input {
                session_events |= libc::EPOLLIN;
            }
            if matches!(self.session.block_directions(), BlockDirections::Outbound | BlockDirections::Both) {
                session_events |= libc::EPOLLOUT;
            }
        }
        // Level-triggered, registered only while wanted (a hung-up socket nobody reads would
        // otherwise wake every wait).
        let session_events = session_events as u32;
        if session_events != self.session_watch {
            let op = match (self.session_watch, session_events) {
                (0, _) => libc::EPOLL_CTL_ADD,
                (_, 0) => libc::EPOLL_CTL_DEL,
                _ => libc::EPOLL_CTL_MOD,
            };
            self.epoll.ctl(op, self.fd, session_events, SESSION_TOKEN)?;
            self.session_watch = session_events;
        }
        let mut timeout = longest;
        if let Some((request, _)) = self.queue.front() {
            timeout = timeout.min(request.next_deadline().saturating_duration_since(Instant::now()));
        }
        if !self.closing.is_empty() {
            timeout = timeout.min(Duration::from_millis(100));
        }
        let gone = (libc::EPOLLHUP | libc::EPOLLERR) as u32;
        let readable = libc::EPOLLIN as u32 | libc::EPOLLRDHUP as u32 | gone;
        let writable = libc::EPOLLOUT as u32 | gone;
        // The wake-up socket at its end (every handle dropped) would be readable for ever.
        if !self.wake_open && self.wake_watched {
            self.epoll.ctl(libc::EPOLL_CTL_DEL, self.wake.as_raw_fd(), 0, WAKE_TOKEN)?;
            self.wake_watched = false;
        }
        self.session_readable = false;
        // The events borrow only `self.epoll`: no copy of them per wake-up.
        for (token, events) in self.epoll.wait(timeout)? {
            match token {
                SESSION_TOKEN => self.session_readable = events & readable != 0,
                // Read (to its end) by `take_requests`.
                WAKE_TOKEN => {}
                token => {
                    let id = token - FIRST_BRIDGE_TOKEN;
                    let Some(bridge) = self.bridges.iter_mut().find(|b| b.id == id) else { continue };
                    if events & readable != 0 {
                        bridge.local_readable = true;
                    }
                    if events & writable != 0 {
                        bridge.local_writable = true;
                    }
                    if events & gone != 0 {
                        bridge.local_hup = true;
                        if bridge.local_eof || events & libc::EPOLLIN as u32 == 0 {
                            bridge.failed = true;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
