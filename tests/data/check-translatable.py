#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that user-visible strings reach translators.

  check-translatable.py SOURCE_ROOT   check the tree
  check-translatable.py --self-test   check that the checks catch mistakes

Fails when
  - a .ui file under src/ has a label, title, tooltip-text,
    placeholder-text, subtitle or description (a <property>, or a menu
    <attribute>) with text that is not marked translatable="yes";
  - a file under src/ uses _(), N_(), C_(), NC_() or translatable="yes"
    but po/POTFILES.in does not list it;
  - po/POTFILES.in lists a file that does not exist.
"""

import os
import re
import sys
import tempfile
import xml.etree.ElementTree as ET

VISIBLE = {'label', 'title', 'tooltip-text', 'tooltip-markup', 'placeholder-text',
           'subtitle', 'description'}
TRANSLATABLE = {'yes', 'true', '1'}
C_MARKERS = re.compile(r'(?<![A-Za-z0-9_])(?:N|C|NC)?_\s*\(|\bn?gettext\s*\(')
UI_MARKER = re.compile(r'translatable\s*=\s*"(?:yes|true|1)"')


def read_potfiles(root):
    listed = set()
    with open(os.path.join(root, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                listed.add(line)
    skip = os.path.join(root, 'po', 'POTFILES.skip')
    if os.path.exists(skip):
        with open(skip, encoding='utf-8') as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith('#'):
                    listed.add(line)
    return listed


def check_ui(path, rel):
    problems = []
    tree = ET.parse(path)
    for element in tree.iter():
        if element.tag not in ('property', 'attribute'):
            continue
        if element.get('name') not in VISIBLE:
            continue
        text = (element.text or '').strip()
        if not text:
            continue
        if element.get('translatable', '').lower() not in TRANSLATABLE:
            problems.append(f'{rel}: <{element.tag} name="{element.get("name")}">'
                            f'{text}</{element.tag}> is not translatable="yes"')
    return problems


def check(root):
    problems = []
    listed = read_potfiles(root)

    for rel in sorted(listed):
        if not os.path.exists(os.path.join(root, rel)):
            problems.append(f'po/POTFILES.in lists {rel}, which does not exist')

    for dirpath, dirnames, filenames in os.walk(os.path.join(root, 'src')):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, '/')
            if name.endswith('.ui'):
                problems += check_ui(path, rel)
                with open(path, encoding='utf-8') as f:
                    uses = UI_MARKER.search(f.read()) is not None
            elif name.endswith(('.c', '.h')):
                with open(path, encoding='utf-8') as f:
                    uses = C_MARKERS.search(f.read()) is not None
            else:
                continue
            if uses and rel not in listed:
                problems.append(f'{rel} has translatable strings but po/POTFILES.in does not list it')

    return problems


def self_test():
    good_ui = ('<interface><object class="GtkLabel">'
               '<property name="label" translatable="yes">Hello</property>'
               '<property name="title"></property></object></interface>')
    bad_ui = ('<interface><object class="GtkLabel">'
              '<property name="tooltip-text">Untranslated</property></object>'
              '<menu id="m"><section><item><attribute name="label">Quit</attribute>'
              '</item></section></menu></interface>')
    cases = [
        # (files, POTFILES.in, number of problems expected)
        ({'src/a.ui': good_ui}, 'src/a.ui\n', 0),
        ({'src/a.ui': good_ui}, '', 1),
        ({'src/a.ui': bad_ui}, '', 2),
        ({'src/x/b.c': 'x = _("Hi");'}, '# comment\n', 1),
        ({'src/x/b.c': 'x = _("Hi");'}, 'src/x/b.c\n', 0),
        ({'src/x/b.c': 'g_strdup_printf (N_("Hi"));'}, '', 1),
        ({'src/x/b.c': 'g_set_str (&a, b);'}, '', 0),
        ({}, 'src/gone.c\n', 1),
    ]
    failures = 0
    for files, potfiles, expected in cases:
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, 'po'))
            os.makedirs(os.path.join(root, 'src'))
            with open(os.path.join(root, 'po', 'POTFILES.in'), 'w', encoding='utf-8') as f:
                f.write(potfiles)
            for rel, text in files.items():
                path = os.path.join(root, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, 'w', encoding='utf-8') as f:
                    f.write(text)
            got = check(root)
            if len(got) != expected:
                failures += 1
                print(f'not ok: {sorted(files)} with POTFILES {potfiles!r}: '
                      f'expected {expected} problems, got {got}')
    print(f'{len(cases) - failures}/{len(cases)} self-test cases passed')
    return 1 if failures else 0


def main(argv):
    if len(argv) == 2 and argv[1] == '--self-test':
        return self_test()
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check(argv[1])
    for p in problems:
        print(p)
    if problems:
        return 1
    print('every visible string in src/ is translatable and in po/POTFILES.in')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
