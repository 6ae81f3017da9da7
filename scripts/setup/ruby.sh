#!/usr/bin/env bash
# Ruby and Rails 6.1 from Debian's packages, with the PostgreSQL and SQLite adapters.
# Not the `rails` metapackage: it pulls in a Node.js that conflicts with the machine's.
source "$(dirname "$0")/lib.sh"
apt_install ruby ruby-rails ruby-pg ruby-sqlite3 bundler
