(fn encode [v]
  (case (type v)
    :nil "null"
    :boolean (tostring v)
    :number (string.format "%.14g" v)
    :string (.. "\"" (v:gsub "[%c\"\\]" #(string.format "\\u%04x" ($:byte))) "\"")
    :table (if (= 1 (next v))
               (.. "[" (table.concat (icollect [_ x (ipairs v)] (encode x)) ",") "]")
               (.. "{" (table.concat (icollect [k x (pairs v)]
                                       (.. (encode (tostring k)) ":" (encode x))) ",") "}"))
    t (error (.. "cannot encode " t))))
encode
