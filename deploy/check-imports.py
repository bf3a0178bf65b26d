#!/usr/bin/env python3
"""Every module a target imports is declared as its dependency in Package.swift (issue 18).

SwiftPM builds a target that imports a module it does not declare whenever that module happens
to be built first, and `--explicit-target-dependency-import-check error` accepted a tree with 15
such targets. This reads the package description (`swift package dump-package`) and each
target's import lines, and fails naming every undeclared import.

  deploy/check-imports.py              check this package
  deploy/check-imports.py --self-test  prove that a planted violation is caught
"""
import json
import os
import re
import subprocess
import sys
import tempfile

# Modules of the toolchain and the system: never declared in Package.swift.
SYSTEM = {"Swift", "Glibc", "Musl", "Darwin", "Foundation", "FoundationEssentials", "FoundationNetworking",
          "Dispatch", "Synchronization", "Testing", "XCTest", "_Concurrency", "_StringProcessing", "os"}
# Library products of package dependencies, by the module they provide.
PRODUCT_MODULES = {"Logging": "Logging"}

IMPORT = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|fileprivate|private)\s+)?"
                    r"import\s+(?:(?:struct|class|enum|protocol|typealias|func|var|let)\s+)?([A-Za-z_][A-Za-z0-9_]*)")


def target_dir(root, target):
    if target.get("path"):
        return os.path.join(root, target["path"])
    base = "Tests" if target["type"] == "test" else "Sources"
    return os.path.join(root, base, target["name"])


def module(name):
    """The module a target builds: its name with `-` as `_` (`sensegate-bench` → `sensegate_bench`)."""
    return name.replace("-", "_")


def declared(target):
    names = set()
    for dep in target.get("dependencies", []):
        for kind in ("byName", "target", "product"):
            if kind in dep:
                names.add(module(dep[kind][0]))
    return names


def imports(directory):
    """(file, line number, module) for every import in the Swift files under `directory`."""
    found = []
    for dirpath, _, files in os.walk(directory):
        for name in sorted(files):
            if not name.endswith(".swift"):
                continue
            path = os.path.join(dirpath, name)
            in_string = False   # inside a multi-line string literal (a script a test writes out)
            with open(path, encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    m = IMPORT.match(line)
                    if m and not in_string:
                        found.append((path, number, m.group(1)))
                    if line.count('"""') % 2 == 1:
                        in_string = not in_string
    return found


def violations(root, description):
    targets = {module(t["name"]): t for t in description["targets"]}
    problems = []
    for t in description["targets"]:
        if t["type"] in ("system", "binary", "plugin", "macro"):
            continue
        directory = target_dir(root, t)
        deps = declared(t)
        for path, number, imported in imports(directory):
            if imported in SYSTEM or imported == module(t["name"]):
                continue
            if imported in targets or imported in PRODUCT_MODULES:
                needed = PRODUCT_MODULES.get(imported, imported)
                if needed not in deps:
                    problems.append(f"{os.path.relpath(path, root)}:{number}: target {t['name']} imports {imported}, "
                                    f"which its dependencies in Package.swift do not list")
            else:
                problems.append(f"{os.path.relpath(path, root)}:{number}: target {t['name']} imports {imported}, "
                                f"which is neither a target of this package, a declared product nor a system module")
    return problems


def self_test():
    with tempfile.TemporaryDirectory() as root:
        for target, text in {"Core": "import Glibc\nlet s = \"\"\"\nimport Daemon\n\"\"\"\n", "Wire": "import Core\n",
                             "Daemon": "import Wire\n@testable import Core\nimport Logging\n"}.items():
            os.makedirs(os.path.join(root, "Sources", target))
            with open(os.path.join(root, "Sources", target, "a.swift"), "w") as f:
                f.write(text)
        description = {"targets": [
            {"name": "Core", "type": "regular", "dependencies": []},
            {"name": "Wire", "type": "regular", "dependencies": [{"byName": ["Core", None]}]},
            {"name": "Daemon", "type": "regular",
             "dependencies": [{"byName": ["Wire", None]}, {"product": ["Logging", "swift-log", None, None]}]},
        ]}
        found = violations(root, description)
        expected = ["Sources/Daemon/a.swift:2: target Daemon imports Core, which its dependencies in Package.swift do not list"]
        if found != expected:
            print("check-imports self-test failed:\n  found    " + repr(found) + "\n  expected " + repr(expected))
            return 1
        print("check-imports self-test: a planted undeclared import is caught")
        return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dump = subprocess.run(["swift", "package", "dump-package"], cwd=root, capture_output=True, text=True)
    if dump.returncode != 0:
        print("swift package dump-package failed:\n" + dump.stderr)
        return 1
    problems = violations(root, json.loads(dump.stdout))
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} undeclared import(s): add the module to the target's dependencies, or drop the import")
        return 1
    print("every import is declared in Package.swift")
    return 0


if __name__ == "__main__":
    sys.exit(main())
