# Man pages of the core library, alias stubs (.so) included; the pages of
# other parts are listed with their code (src/local.mk, src/cli, src/json,
# bench). tests/check-man.sh makes sure that every public function has a
# page, every page in man/ is listed, and every page renders without a
# warning.
dist_man_MANS += \
	man/sharelite.7 \
	man/share_new.3 man/share_new_timeout.3 man/share_close.3 \
	man/share_remove.3 man/share_set_destroy.3 \
	man/share_store.3 \
	man/share_fetch.3 man/share_fetch_into.3 \
	man/share_view.3 man/share_view_end.3 \
	man/share_lock.3 man/share_unlock.3 \
	man/share_set_timeout.3 man/share_timeout.3 \
	man/share_version.3 \
	man/share_num_segments.3 \
	man/share_stat.3 \
	man/share_key.3 man/share_flags.3 man/share_mode.3 \
	man/share_segment_size.3 man/share_get_destroy.3 \
	man/share_key_from_string.3 man/share_key_parse.3 \
	man/sharelite_version.3

# The checks that keep the pages and the exports complete.
TESTS += tests/check-man.sh tests/check-exports.sh
EXTRA_DIST += tests/check-man.sh tests/check-exports.sh
