//! What the script readers share about the shell around the commands they read.

/// Whether a shell script may skip, repeat or reorder its commands: a conditional, a loop, a
/// function, `&&` or `||`. The readers take every command in file order, so the analyses of
/// rule order must not trust that order then. Comments are ignored; anything else that looks
/// like control flow counts (a false "yes" only costs findings, a false "no" would invent them).
pub fn has_control_flow(text: &str) -> bool {
    const WORDS: [&str; 10] = [
        "if", "elif", "case", "for", "while", "until", "select", "function", "then", "do",
    ];
    text.lines().any(|line| {
        let code = match line.find('#') {
            Some(0) => "",
            Some(at) if line[..at].ends_with(char::is_whitespace) => &line[..at],
            _ => line,
        };
        code.contains("&&")
            || code.contains("||")
            || code.contains("()")
            || code
                .split(|c: char| c.is_whitespace() || c == ';')
                .any(|word| WORDS.contains(&word))
    })
}

#[cfg(test)]
mod tests {
    use super::has_control_flow;

    #[test]
    fn straight_line_scripts_are_told_from_others() {
        assert!(!has_control_flow(
            "#!/bin/sh\n# if this fails, run it again\niptables -A INPUT -j DROP\n"
        ));
        assert!(has_control_flow(
            "if [ -n \"$X\" ]; then\n iptables -A INPUT -j DROP\nfi\n"
        ));
        assert!(has_control_flow("setup() {\n iptables -F\n}\n"));
        assert!(has_control_flow(
            "iptables -C INPUT -j DROP || iptables -A INPUT -j DROP\n"
        ));
        assert!(has_control_flow(
            "for p in 22 80; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done\n"
        ));
    }
}
