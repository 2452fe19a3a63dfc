#!/bin/sh
# sharelite fetch --json: a JSON value comes out indented; anything else is
# an error. Without jansson the option says so.
. "${srcdir:-.}/tests/cli/common.sh"

k=$(key 1)
sl store "$k" '{"name":"demo","ports":[80,443],"tls":true,"none":null}'
expect_ok "store JSON"

sl --version
expect_ok "--version"
json=$(sed -n 's/^json: //p' "$OUT")
case $json in
jansson*)
	sl fetch --json "$k"
	expect_ok "fetch --json"
	cat >"$TMP/want" <<'JSON'
{
  "name": "demo",
  "ports": [
    80,
    443
  ],
  "tls": true,
  "none": null
}
JSON
	cmp -s "$TMP/want" "$OUT" || fail "fetch --json printed: $(cat "$OUT")"
	sl fetch --pretty "$k"
	cmp -s "$TMP/want" "$OUT" || fail "--pretty is not --json"
	sl fetch "$k" --json
	cmp -s "$TMP/want" "$OUT" || fail "--json after the key"
	ok "fetch --json indents an object, keeping its order"

	sl store "$k" ' 42 '
	sl fetch --json "$k"
	expect_ok "fetch --json of a number"
	[ "$(cat "$OUT")" = 42 ] || fail "a JSON number came out as $(cat "$OUT")"
	sl store "$k" '"caf\u00e9"'
	sl fetch --json "$k"
	[ "$(cat "$OUT")" = '"café"' ] || fail "a JSON string came out as $(cat "$OUT")"
	ok "fetch --json prints any JSON value"

	for bad in 'not json' '{"a":' '' '{"a":1} trailing'; do
		sl store "$k" "$bad"
		sl fetch --json "$k"
		expect_error "fetch --json of '$bad'" 1 "^sharelite: fetch: key $k: the value is not JSON: "
	done
	ok "a value that is not JSON: exit 1, one line, nothing on stdout"
	;;
none*)
	sl fetch --json "$k"
	expect_error "fetch --json without jansson" 1 "^sharelite: fetch: key $k: --json needs jansson"
	ok "without jansson, --json says so"
	;;
*)
	fail "--version does not say whether JSON is supported"
	;;
esac

done_testing
