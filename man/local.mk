# Man pages: every page is listed here, and tests/check-man.sh makes sure
# every public function has one.
dist_man_MANS +=
