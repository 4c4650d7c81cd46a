#!/usr/bin/env python3
"""Generate the input shapes DESIGN's Budgets call "no input shape is quadratic", deterministic.

usage: gen-linear.py OUTDIR [SCALE]      (SCALE 1 = the budgets' sizes; 0.5 halves each, to see
                                          whether the time halves too)

Writes into OUTDIR:
  oneline-N.json     an `nft -j` ruleset on one line (as nft prints it), about 10 MB at SCALE 1:
                     one inet table, a base input chain and N rules, every rule a finding
                     (a duplicate of an earlier one, or a port without a registered service)
  oneline-N.nft      nft text on one line (`;` between rules), about 2 MB, every rule a finding
  chains-N.nft       N regular chains, each the target of one `jump` from the base chain
                     (N chains, N jumps), each with one rule
  chains-N.iptables  the same as an iptables-save dump (N user chains, N `-j` to them)
  set-N.nft          one named set of N elements, matched by one rule
  delete-N.iptables  N user chains declared, then N `-X` deleting them one by one (kube-proxy
                     deletes its stale chains so)
  missing-N.iptables N chains and N references to chains the table lacks, every one a PL003:
                     half `-A` into an undeclared chain (the lower-case spelling of a declared
                     one: a did-you-mean), half `-j` to a name near no chain
  missing-N.nft      N chains and N jumps to chains the table lacks (the same two halves)
  undefined-N.nft    N defines and N uses of undefined variables (one in ten the upper-case
                     spelling of a define: a did-you-mean), every use a PL003
  groups-N.policy.yaml  a policy of N groups, a service naming each, and N names of groups it
                     lacks (one in ten a typo of a group: a did-you-mean), every one a PL003
                     (20,000: more YAML values than that are refused as a "billion laughs")

Each file but missing-*, undefined-* and groups-* is accepted by `nft -c -f` / `iptables-restore --test`
(checked in a private network namespace); those two are refused, as they should be. Output is
byte-identical for the same SCALE.
"""
import json, os, sys

# Ports with no registered service for tcp (a PL101 finding each) and registered ones.
UNREGISTERED = [1, 4, 6, 8, 10, 12, 14, 16, 26, 28, 30, 32, 34, 36, 40, 60]
REGISTERED = [22, 25, 53, 80, 110, 143, 443, 993, 995, 3306, 5432]


def port(i):
    table = UNREGISTERED if i % 3 == 0 else REGISTERED
    return table[i % len(table)]


def json_rule(i):
    match = {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}},
                       "right": port(i)}}
    source = {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
                        "right": {"prefix": {"addr": f"10.{(i >> 8) & 255}.{i & 255}.0", "len": 24}}}}
    verdict = {"accept": None} if i % 2 else {"drop": None}
    return {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": i + 4,
                     "expr": [source, match, verdict]}}


def oneline_json(n):
    items = [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5",
                           "json_schema_version": 1}},
             {"table": {"family": "inet", "name": "filter", "handle": 1}},
             {"chain": {"family": "inet", "table": "filter", "name": "input", "handle": 1,
                        "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}]
    # Each rule twice, so the second of each pair is shadowed by the first.
    items += [json_rule(i // 2) for i in range(n)]
    return json.dumps({"nftables": items}, separators=(",", ":")) + "\n"


def oneline_nft(n):
    rules = "; ".join(f"ip saddr 10.{(i >> 8) & 255}.{i & 255}.0/24 tcp dport {port(i // 2)} accept"
                      for i in range(n))
    return f"table inet filter {{ chain input {{ type filter hook input priority 0; policy drop; {rules}; }}; }}\n"


def chains_nft(n):
    out = ["table inet filter {", "\tchain input {", "\t\ttype filter hook input priority 0; policy drop;"]
    out += [f"\t\tip saddr 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255} jump c{i}" for i in range(n)]
    out.append("\t}")
    for i in range(n):
        out += [f"\tchain c{i} {{", f"\t\ttcp dport {REGISTERED[i % len(REGISTERED)]} accept", "\t}"]
    out.append("}")
    return "\n".join(out) + "\n"


def chains_iptables(n):
    out = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"]
    out += [f":C{i} - [0:0]" for i in range(n)]
    out += [f"-A INPUT -s 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}/32 -j C{i}" for i in range(n)]
    out += [f"-A C{i} -p tcp -m tcp --dport {REGISTERED[i % len(REGISTERED)]} -j ACCEPT" for i in range(n)]
    out.append("COMMIT")
    return "\n".join(out) + "\n"


def set_nft(n):
    elements = ",\n\t\t\t".join(f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}" for i in range(n))
    return ("table inet filter {\n\tset allowed {\n\t\ttype ipv4_addr\n\t\telements = {\n\t\t\t"
            f"{elements}\n\t\t}}\n\t}}\n\tchain input {{\n"
            "\t\ttype filter hook input priority 0; policy drop;\n"
            "\t\tip saddr @allowed tcp dport 22 accept\n\t}\n}\n")


def delete_iptables(n):
    out = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"]
    out += [f":C{i} - [0:0]" for i in range(n)]
    out += [f"-X C{i}" for i in range(n)]
    out.append("COMMIT")
    return "\n".join(out) + "\n"


def missing_iptables(n):
    out = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"]
    out += [f":C{i} - [0:0]" for i in range(n)]
    out += [f"-A INPUT -s 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}/32 -j C{i}" for i in range(n)]
    for i in range(n):
        if i % 2:
            out.append(f"-A c{i} -p tcp -m tcp --dport 22 -j ACCEPT")
        else:
            out.append(f"-A INPUT -p tcp -m tcp --dport 22 -j MISSING-TARGET-{i}")
    out.append("COMMIT")
    return "\n".join(out) + "\n"


def missing_nft(n):
    out = ["table inet filter {", "\tchain input {", "\t\ttype filter hook input priority 0; policy drop;"]
    out += [f"\t\tip saddr 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255} jump c{i}" for i in range(n)]
    out += [f"\t\ttcp dport 22 jump {'C' if i % 2 else 'missing-target-'}{i}" for i in range(n)]
    out.append("\t}")
    for i in range(n):
        out += [f"\tchain c{i} {{", "\t\ttcp dport 22 accept", "\t}"]
    out.append("}")
    return "\n".join(out) + "\n"


def undefined_nft(n):
    out = [f"define v{i} = {REGISTERED[i % len(REGISTERED)]}" for i in range(n)]
    out += ["table inet filter {", "\tchain input {", "\t\ttype filter hook input priority 0; policy drop;"]
    out += [f"\t\ttcp dport ${'V' if i % 10 == 0 else 'u'}{i} accept" for i in range(n)]
    out += ["\t}", "}"]
    return "\n".join(out) + "\n"


def vmap_nft(n):
    """One verdict map of N distinct jump targets: lowered as N rules that share one span."""
    keys = ", ".join(f"{1024 + i % 60000} . {i // 60000} : jump c{i}" for i in range(n))
    out = ["table inet filter {", "\tchain input {", "\t\ttype filter hook input priority 0; policy drop;",
           f"\t\ttcp dport . meta mark vmap {{ {keys} }}", "\t}"]
    for i in range(n):
        out += [f"\tchain c{i} {{", "\t\taccept", "\t}"]
    out.append("}")
    return "\n".join(out) + "\n"


def groups_policy(n):
    out = ["portlint-policy: 1", "groups:"]
    out += [f"  g{i}: [10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}/32]" for i in range(n)]
    out += ["roles:", "  web:", "    default-inbound: deny", "    services:", "      - name: ssh", "        ports: [22/tcp]",
            "        from:"]
    out += [f"          - g{i}" for i in range(n)]
    out += [f"          - {'gx' if i % 10 == 0 else 'missing-group-'}{i}" for i in range(n)]
    return "\n".join(out) + "\n"


def main():
    out = sys.argv[1]
    scale = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    os.makedirs(out, exist_ok=True)
    sizes = {"oneline-json": int(32_000 * scale), "oneline-nft": int(40_000 * scale),
             "chains": int(100_000 * scale), "set": int(1_000_000 * scale),
             "delete": int(100_000 * scale), "missing": int(50_000 * scale),
             "undefined": int(50_000 * scale), "groups": int(20_000 * scale),
             "vmap": int(100_000 * scale)}
    files = {f"oneline-{sizes['oneline-json']}.json": oneline_json(sizes["oneline-json"]),
             f"oneline-{sizes['oneline-nft']}.nft": oneline_nft(sizes["oneline-nft"]),
             f"chains-{sizes['chains']}.nft": chains_nft(sizes["chains"]),
             f"chains-{sizes['chains']}.iptables": chains_iptables(sizes["chains"]),
             f"set-{sizes['set']}.nft": set_nft(sizes["set"]),
             f"delete-{sizes['delete']}.iptables": delete_iptables(sizes["delete"]),
             f"missing-{sizes['missing']}.iptables": missing_iptables(sizes["missing"]),
             f"missing-{sizes['missing']}.nft": missing_nft(sizes["missing"]),
             f"undefined-{sizes['undefined']}.nft": undefined_nft(sizes["undefined"]),
             f"groups-{sizes['groups']}.policy.yaml": groups_policy(sizes["groups"]),
             f"vmap-{sizes['vmap']}.nft": vmap_nft(sizes["vmap"])}
    for name, text in files.items():
        with open(os.path.join(out, name), "w") as f:
            f.write(text)
        print(f"{name}: {len(text.encode())} bytes")


if __name__ == "__main__":
    main()
