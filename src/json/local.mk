# src/json: libsharelite-json, JSON data structures through a share. Built
# only where configure found jansson; the core library never needs it.
if HAVE_JANSSON
# Interface version, current:revision:age, kept by the same libtool rules
# as SHARELITE_LT_VERSION in src/local.mk, but for this library's own ABI.
SHARELITE_JSON_LT_VERSION = 0:0:0

include_HEADERS += include/sharelite_json.h
lib_LTLIBRARIES += src/json/libsharelite-json.la
pkgconfig_DATA += sharelite-json.pc
src_json_libsharelite_json_la_SOURCES = \
	src/json/api.c \
	src/json/codec.c src/json/codec.h \
	src/json/edit.c src/json/edit.h
src_json_libsharelite_json_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) -fvisibility=hidden
src_json_libsharelite_json_la_LIBADD = src/libsharelite.la $(JANSSON_LIBS)
src_json_libsharelite_json_la_LDFLAGS = -version-info $(SHARELITE_JSON_LT_VERSION) \
	-no-undefined -Wl,--version-script=$(srcdir)/src/json/libsharelite-json.map
EXTRA_src_json_libsharelite_json_la_DEPENDENCIES = src/json/libsharelite-json.map
EXTRA_DIST += src/json/libsharelite-json.map

dist_man_MANS += \
	man/share_json_open.3 man/share_json_close.3 \
	man/share_json_get.3 \
	man/share_json_set.3 man/share_json_set_new.3 \
	man/share_json_object_set.3 man/share_json_object_set_new.3 \
	man/share_json_object_del.3 \
	man/share_json_array_append.3 man/share_json_array_append_new.3 \
	man/share_json_lock.3 man/share_json_unlock.3
endif
