{#- Fails on every row whose value is zero or negative; NULLs are left to not_null. -#}
{% test is_positive(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} <= 0

{% endtest %}
