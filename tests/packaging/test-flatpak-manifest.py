#!/usr/bin/env python3
"""Checks the Flatpak manifests: valid JSON, the right IDs, known build
systems, sources that name where they come from, and a sandbox that uses
portals rather than a blanket X11 socket."""
import json
import os
import sys

KNOWN_BUILDSYSTEMS = {"autotools", "cmake", "cmake-ninja", "meson", "simple", "qmake"}
KNOWN_SOURCE_TYPES = {"archive", "git", "bzr", "svn", "dir", "file", "script", "shell",
                      "patch", "extra-data"}
FORBIDDEN_ARGS = {"--socket=x11", "--filesystem=host", "--filesystem=home",
                  "--device=all", "--talk-name=org.freedesktop.Flatpak"}

failures = []


def check(cond, message):
    if not cond:
        failures.append(message)


def check_manifest(path, app_id, profile):
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
    name = os.path.basename(path)
    check(manifest.get("id") == app_id, f"{name}: id is {manifest.get('id')!r}, want {app_id!r}")
    check(name == app_id + ".json", f"{name}: file name does not match the app ID")
    check(manifest.get("runtime") == "org.gnome.Platform", f"{name}: runtime is not org.gnome.Platform")
    check(manifest.get("sdk") == "org.gnome.Sdk", f"{name}: sdk is not org.gnome.Sdk")
    check(manifest.get("command") == "tandem", f"{name}: command is not tandem")
    args = set(manifest.get("finish-args", []))
    check(not (args & FORBIDDEN_ARGS), f"{name}: forbidden finish-args {sorted(args & FORBIDDEN_ARGS)}")
    check("--socket=wayland" in args, f"{name}: no Wayland socket")
    check("--share=network" in args, f"{name}: no network")

    modules = manifest.get("modules", [])
    check(len(modules) > 0, f"{name}: no modules")
    names = [m.get("name") for m in modules]
    for needed in ("libnice", "libsodium", "tandem"):
        check(needed in names, f"{name}: no module {needed}")
    check(names and names[-1] == "tandem", f"{name}: tandem must be the last module")
    for m in modules:
        mname = m.get("name", "?")
        check(m.get("buildsystem") in KNOWN_BUILDSYSTEMS,
              f"{name}: module {mname} has unknown buildsystem {m.get('buildsystem')!r}")
        sources = m.get("sources", [])
        check(len(sources) > 0, f"{name}: module {mname} has no sources")
        for s in sources:
            t = s.get("type")
            check(t in KNOWN_SOURCE_TYPES, f"{name}: module {mname} has a source of unknown type {t!r}")
            if t in ("git", "archive"):
                check(str(s.get("url", "")).startswith("https://"),
                      f"{name}: module {mname} fetches from a non-https URL")
            if t == "git":
                check(any(k in s for k in ("tag", "commit", "branch")),
                      f"{name}: module {mname} pins no tag, commit or branch")
            if t == "archive":
                check("sha256" in s, f"{name}: module {mname} archive has no sha256")
    tandem = modules[-1] if modules else {}
    opts = tandem.get("config-opts", [])
    check("-Dtests=false" in opts, f"{name}: tandem module should not build tests")
    if profile:
        check(f"-Dprofile={profile}" in opts, f"{name}: tandem module lacks -Dprofile={profile}")
    return manifest


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    stable = check_manifest(os.path.join(top, "flatpak", "org.tandemdesk.Tandem.json"),
                            "org.tandemdesk.Tandem", None)
    devel = check_manifest(os.path.join(top, "flatpak", "org.tandemdesk.Tandem.Devel.json"),
                           "org.tandemdesk.Tandem.Devel", "development")
    check([m["name"] for m in stable["modules"]] == [m["name"] for m in devel["modules"]],
          "the Devel manifest builds different modules")
    for f in failures:
        print("FAIL:", f)
    print(f"{'ok' if not failures else 'not ok'}: {len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
