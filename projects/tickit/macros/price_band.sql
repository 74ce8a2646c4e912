{#-
    Buckets a ticket price so marts and dashboards group listings the same way without
    repeating the thresholds in every query.
-#}
{% macro price_band(price_column) -%}
    case
        when {{ price_column }} < 50 then 'budget'
        when {{ price_column }} < 200 then 'standard'
        when {{ price_column }} < 500 then 'premium'
        else 'luxury'
    end
{%- endmacro %}
