"""The API's JSON parser: DRF's, refusing text with NUL characters, which PostgreSQL cannot
store or compare (a NUL in any text field answered a server error from the first query that
used it). A NUL reaches JSON only as the escape `\\u0000`, so the raw body is searched for an
unescaped one before it is parsed."""

import io
import re

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
NUL_REFUSED = "Text must not contain NUL characters (\\u0000)."


class JsonParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read() if stream is not None else b""
        if NUL_ESCAPE.search(body):
            raise ParseError(NUL_REFUSED)
        return super().parse(io.BytesIO(body), media_type, parser_context)
