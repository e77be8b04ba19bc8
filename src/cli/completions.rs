//! `yunwei completions SHELL`: prints a completion script generated from the command tree, so
//! it always knows every subcommand and option of this build.

/// The shells a completion script can be printed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl From<Shell> for clap_complete::Shell {
    fn from(shell: Shell) -> Self {
        match shell {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
        }
    }
}

/// The arguments of `yunwei completions`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Prints the script for `command` (the whole `yunwei` command tree) on standard output.
pub fn run(args: &CompletionsArgs, command: clap::Command) -> i32 {
    let shell = clap_complete::Shell::from(args.shell);
    clap_complete::generate(shell, &mut shown(&command), "yunwei", &mut std::io::stdout());
    0
}

/// `command` without its hidden subcommands (`man`, for the release script), which clap_complete
/// would offer: the same name, version, options and the other subcommands.
fn shown(command: &clap::Command) -> clap::Command {
    clap::Command::new("yunwei")
        .version(env!("CARGO_PKG_VERSION"))
        .args(command.get_arguments().cloned())
        .subcommands(command.get_subcommands().filter(|s| !s.is_hide_set()).cloned())
}
