{#- Fails on every row whose value lies outside min_value..max_value (the bounds themselves pass
    unless inclusive is false); NULLs are left to not_null. -#}
{% test within_range(model, column_name, min_value, max_value, inclusive=true) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} {{ "<" if inclusive else "<=" }} {{ min_value }}
   or {{ column_name }} {{ ">" if inclusive else ">=" }} {{ max_value }}

{% endtest %}
