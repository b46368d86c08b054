# lib.jq -- helpers for test/pass expectations; run-case.sh prepends
# `. as $root |` and this file to every expectation, and passes the source
# markers (/*@name*/ comments) as $M: {"name": {"file": "a.c", "line": 12}}.

# The only element of an array, or an error naming what was looked for.
def one($what):
  if length == 1 then .[0]
  else error("expected exactly one \($what), found \(length)") end;

# Types: by name (must be unique), all with a name, by id, name of an id.
def TS($n): [$root.types[] | select(.name == $n)];
def T($n): TS($n) | one("type named \"\($n)\"");
def TI($id): [$root.types[] | select(.id == $id)] | one("type with id \($id)");
def TN($id): if $id == null then null else TI($id).name end;
def KIND($id): if $id == null then null else TI($id).kind end;

# Members of the type named $t.
def M($t; $m): T($t) | [.members[]? | select(.name == $m)] | one("member \"\($m)\" of \"\($t)\"");
def MT($t; $m): TN(M($t; $m).type);
def MO($t; $m): M($t; $m).offset;

# Canonical layout of a struct/union type object: "name@off[:bit:size] ...".
def layout_of:
  [.members[]? | "\(.name)@\(.offset)"
     + (if (.bit_size // 0) > 0 then ":\(.bit_offset):\(.bit_size)" else "" end)]
  | join(" ");
def LAYOUT($t): T($t) | layout_of;

# Static objects by id (unique) / all with a source name; type name of one.
def S($id): [$root.statics[] | select(.id == $id)] | one("static with id \"\($id)\"");
def SN($n): [$root.statics[] | select(.name == $n)];
def ST($id): TN(S($id).type);
def HAS_STATIC($id): [$root.statics[] | select(.id == $id)] | length == 1;

# Allocation sites by id, by source marker, by function; type name of one.
def SITE($id): [$root.sites[] | select(.id == $id)] | one("site with id \"\($id)\"");
def SITET($id): TN(SITE($id).type);
def AT($mk):
  ($M[$mk] // error("no marker /*@\($mk)*/ in the case's sources")) as $l
  | [$root.sites[] | select((.file | ltrimstr("./")) == $l.file and .line == $l.line)]
  | one("site at marker \($mk) (\($l.file):\($l.line))");
def ATS($mk):
  ($M[$mk] // error("no marker /*@\($mk)*/ in the case's sources")) as $l
  | [$root.sites[] | select((.file | ltrimstr("./")) == $l.file and .line == $l.line)];
def ATT($mk): TN(AT($mk).type);
def SITESOF($fn): [$root.sites[] | select(.function == $fn)];
def TRUE($v): $v == true;
def NOTSET($v): $v == null or $v == false;
